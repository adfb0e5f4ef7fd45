using System.IO.Abstractions;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Storage.VhdActors;
using Storage.VhdEngine;

namespace Storage.VhdCluster;

/// <summary>
/// A cluster-sharding entity for one image (DESIGN.md §12): the entity id is the image's full path,
/// and the entity owns the image actor (<see cref="ImageActors.Props"/>) that does the work,
/// supervised as the store's own image manager supervises it. On <see cref="ImageHandOff"/> (sent by
/// the shard before it moves, or after an idle passivation) the image actor stops, which flushes and
/// closes the image, before the entity stops, so the next node opens a clean file.
/// </summary>
internal sealed class ImageEntity : ReceiveActor, IWithUnboundedStash
{
    private sealed record Idle;

    private readonly VhdStorageOptions _options;
    private readonly IActorRef _image;

    public ImageEntity(IFileSystem fs, string path, VhdStorageOptions options)
    {
        _options = options;
        _image = Context.Watch(Context.ActorOf(ImageActors.Props(fs, path, options, new Idle()), "image"));
        Receive<ImageHandOff>(_ =>
        {
            // A PoisonPill, not Context.Stop: the requests already in the image actor's mailbox run
            // (their callers wait for them) before it flushes and closes; a stop would drop them as dead letters.
            _image.Tell(PoisonPill.Instance);
            Become(HandingOff);
        });
        Receive<Idle>(_ => Context.Parent.Tell(new Passivate(ImageHandOff.Instance)));
        Receive<Terminated>(_ => Passivate());
        Receive<object>(m => ImageActors.ImagePath(m) is not null, m =>
        {
            _image.Forward(m);
            // A close stops the image actor: what comes after it must not reach the stopping actor.
            if (ImageActors.StopsImage(m)) Become(Closing);
        });
    }

    public IStash Stash { get; set; } = null!;

    public static Props Props(IFileSystem fs, string path, VhdStorageOptions options) =>
        Akka.Actor.Props.Create(() => new ImageEntity(fs, path, options));

    protected override SupervisorStrategy SupervisorStrategy() => ImageActors.Supervision(_options);

    /// <summary>A close is on its way to the image actor: requests wait here until it has stopped.</summary>
    private void Closing()
    {
        Receive<Terminated>(_ => Passivate());
        Receive<ImageHandOff>(_ =>
        {
            Become(HandingOff);
            Stash.UnstashAll();
        });
        Receive<object>(m => ImageActors.ImagePath(m) is not null, _ => Stash.Stash());
    }

    /// <summary>
    /// The image actor stopped (a close, or an error): the entity passivates, so the shard holds what
    /// comes meanwhile for a fresh entity instead of letting it reach a stopped one.
    /// </summary>
    private void Passivate()
    {
        Context.Parent.Tell(new Passivate(ImageHandOff.Instance));
        Become(Closed);
        Stash.UnstashAll();
    }

    private void Closed()
    {
        Receive<ImageHandOff>(_ => Context.Stop(Self));
        // Sent before the shard heard of the passivation (which went first): back to the shard, which buffers it for the next entity.
        Receive<object>(m => ImageActors.ImagePath(m) is not null, m => Context.Parent.Forward(m));
    }

    private void HandingOff()
    {
        Receive<Terminated>(_ => Context.Stop(Self));
        // Normally the shard buffers during a hand-off; anything that slips through is refused, not lost.
        Receive<object>(m => ImageActors.ImagePath(m) is not null, m =>
            ImageActors.Fail(Sender, new VhdException($"{ImageActors.ImagePath(m)}: the image is moving to another node; retry")));
    }
}
