using System.Diagnostics;

namespace Storage.VhdActors.Messages;

/// <summary>
/// From the manager to the actor of an image about to get a snapshot child: flush, mark the file
/// read-only, go from the exclusive lock to a shared one without letting go (so no writer can take
/// the image before the child holds it), and stop, keeping the image in the actor's
/// <see cref="ImageHold"/>. Reply: <see cref="ImageAck"/>, or a failure that fails the snapshot.
/// </summary>
/// <param name="Path">Full path of the image file.</param>
internal sealed record FreezeImage(string Path) : IImageRequest
{
    public ActivityContext TraceContext => default;

    public CancellationToken Cancellation => default;
}
