using Akka.Actor;
using Storage.VhdActors.Messages;

namespace Storage.VhdActors;

/// <summary>
/// What an <see cref="ImageActor"/> tells the actor that started it: the <see cref="ImageManager"/>,
/// or another host (a cluster-sharding entity) that gave its own idle notice.
/// </summary>
internal sealed class ImageActorParent
{
    private readonly object? _idleNotice;

    private ImageActorParent(object? idleNotice) => _idleNotice = idleNotice;

    /// <summary>The image manager: it hears of idleness, failures and failed opens, and stops a failed actor itself.</summary>
    public static ImageActorParent Manager { get; } = new(null);

    /// <summary>Another host, told <paramref name="idleNotice"/> when the image is idle; a failed actor stops itself.</summary>
    public static ImageActorParent Host(object idleNotice) => new(idleNotice);

    /// <summary>Nothing came for the idle time: the parent decides (it stops routing here first, so nothing is lost).</summary>
    public void Idle(IUntypedActorContext context, string path) =>
        context.Parent.Tell(_idleNotice ?? new ImageIdle(path, context.Self));

    /// <summary>A request failed in a way the supervisor handles next: why, for the report if the actor stops.</summary>
    public void Failing(IUntypedActorContext context, string path, Exception error)
    {
        if (_idleNotice is null) context.Parent.Tell(new ImageFailed(path, error));
    }

    /// <summary>
    /// The open failed. The manager hears it before the caller gets the error, so it routes the
    /// caller's next request elsewhere, and stops this actor once it has answered what was routed
    /// here; another host sees it stop by itself after what is queued now.
    /// </summary>
    public void OpenFailed(IUntypedActorContext context, string path, Exception error)
    {
        if (_idleNotice is null) context.Parent.Tell(new ImageOpenFailed(path, error));
        else context.Self.Tell(PoisonPill.Instance);
    }
}
