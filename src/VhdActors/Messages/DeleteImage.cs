using System.Diagnostics;

namespace Storage.VhdActors.Messages;

/// <summary>
/// Deletes an image that is not open and has no children. The image's actor, if any, is closed first,
/// and requests for the path wait until the deletion is done. Reply: <see cref="ImageAck"/>.
/// </summary>
/// <param name="Path">Full path of the image file.</param>
/// <param name="TraceContext">The caller's trace context.</param>
/// <param name="Cancellation">The caller's token.</param>
internal sealed record DeleteImage(string Path, ActivityContext TraceContext = default, CancellationToken Cancellation = default) : IImageRequest;
