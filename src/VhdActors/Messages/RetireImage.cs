using System.Diagnostics;

namespace Storage.VhdActors.Messages;

/// <summary>
/// From the manager to an idle image actor: flush and stop, but keep the image open and locked in
/// the actor's <see cref="ImageHold"/> for the image's next actor. Reply: <see cref="ImageAck"/>.
/// </summary>
/// <param name="Path">Full path of the image file.</param>
internal sealed record RetireImage(string Path) : IImageRequest
{
    public ActivityContext TraceContext => default;

    public CancellationToken Cancellation => default;
}
