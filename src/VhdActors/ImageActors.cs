using System.IO.Abstractions;
using Akka.Actor;
using Akka.Configuration;
using Storage.VhdActors.Messages;
using Storage.VhdActors.Wire;

namespace Storage.VhdActors;

/// <summary>
/// For hosting image actors under a parent of one's own, as <c>Storage.VhdCluster</c> does with
/// cluster-sharding entities: the image actor's props, the supervision it needs, how to tell which
/// image a request is for, and the <see cref="IDiskStore"/> facade over whatever routes requests to
/// such actors. Applications that do not host actors themselves use <see cref="VhdStorage"/> or
/// <see cref="VhdStorageHostingExtensions.AddVhdStorage(Microsoft.Extensions.DependencyInjection.IServiceCollection, VhdStorageOptions?)"/>.
/// </summary>
public static class ImageActors
{
    /// <summary>
    /// Props for the actor that owns the image at <paramref name="path"/> (read-write), on the
    /// options' I/O dispatcher; it opens the image on its first request. Route the store's requests
    /// for that path to it (<see cref="ImagePath"/>), supervise it with <see cref="Supervision"/>; when
    /// it has had nothing to do for <see cref="VhdStorageOptions.IdleTimeout"/> it tells its parent
    /// <paramref name="idleNotice"/>, and stopping it flushes and closes the image.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static Props Props(IFileSystem fileSystem, string path, VhdStorageOptions options, object idleNotice)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(idleNotice);
        return ImageActor.Props(fileSystem, path, FileAccess.ReadWrite, options.Snapshot(), new ImageHold(), ImageActorParent.Host(idleNotice));
    }

    /// <summary>
    /// The supervision image actors need (DESIGN.md §7): an I/O failure restarts the actor, which
    /// reopens its image in place, at most <see cref="VhdStorageOptions.MaxRestarts"/> times in
    /// <see cref="VhdStorageOptions.RestartWindow"/>; a format error stops it. (Requests that reach a
    /// stopped image actor are answered with an error, not left to time out.)
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    public static SupervisorStrategy Supervision(VhdStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new ImageSupervision(options);
    }

    /// <summary>
    /// Readies <paramref name="system"/> for image actors: adds the library's default HOCON (the I/O
    /// dispatcher) as a fallback if the system lacks the options' dispatcher, and the replier that
    /// answers requests which reach a stopped image actor. Call it before the first image actor starts.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static void Configure(ActorSystem system, VhdStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(options);
        DiskStore.EnsureConfig(system, options);
        DeadLetterReplier.Ensure(system);
    }

    /// <summary>The full path of the image a request of the store is for (the key to route it by), or null for any other message.</summary>
    public static string? ImagePath(object message) => (message as IImageRequest)?.Path;

    /// <summary>
    /// True for a request after which the image actor stops (a close: the last handle of a store let go
    /// of the image). A host that forwards requests to image actors holds later ones until the actor has
    /// stopped, so none reaches a stopping actor.
    /// </summary>
    public static bool StopsImage(object message) => message is CloseImage;

    /// <summary>
    /// The <see cref="IDiskStore"/> facade over <paramref name="router"/>, an actor that forwards each
    /// request to the actor of its image (<see cref="ImagePath"/>); it <see cref="Configure"/>s the system.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IDiskStore CreateStore(ActorSystem system, IActorRef router, IFileSystem fileSystem, VhdStorageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(router);
        ArgumentNullException.ThrowIfNull(fileSystem);
        var settings = (options ?? new VhdStorageOptions()).Snapshot();
        Configure(system, settings);
        return new DiskStore(router, fileSystem, settings);
    }

    /// <summary>
    /// The <see cref="IDiskStore"/> facade over a router that is not there yet, e.g. a shard region that
    /// starts with a hosted ActorSystem: <paramref name="router"/> is asked on the store's first request
    /// (and again until it succeeds). The system that hosts the image actors must be
    /// <see cref="Configure"/>d (<c>StartImageSharding</c> does).
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IDiskStore CreateStore(Func<CancellationToken, Task<IActorRef>> router, IFileSystem fileSystem, VhdStorageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(router);
        ArgumentNullException.ThrowIfNull(fileSystem);
        return new DiskStore(router, fileSystem, (options ?? new VhdStorageOptions()).Snapshot());
    }

    /// <summary>
    /// The HOCON that registers the store's message serializer (DESIGN.md §12) and binds every request
    /// and reply that may cross between nodes to it: put it in the config of every node's ActorSystem
    /// (before the system starts; <c>Storage.VhdCluster</c>'s hosting setup does). Errors travel as the
    /// same exception types; the caller's <see cref="CancellationToken"/> does not travel.
    /// </summary>
    public static Config WireConfig => Wire.WireConfig.Config;

    /// <summary>True when <paramref name="system"/> serializes the store's messages with <see cref="WireConfig"/>'s serializer.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="system"/> is null.</exception>
    public static bool HasWireSerializer(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return ImageMessageSerializer.Types.All(t => system.Serialization.FindSerializerForType(t).Identifier == ImageMessageSerializer.Id);
    }

    /// <summary>
    /// Answers a store request with <paramref name="error"/>, as image actors do: a <c>Status.Failure</c>
    /// to a caller on this node, a form the wire serializer carries (arriving as that same failure) to one
    /// on another node. For hosts that refuse requests themselves (a sharding entity handing off).
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static void Fail(IActorRef caller, Exception error)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(error);
        ImageReplies.Fail(caller, error);
    }
}
