using System.Diagnostics;

namespace Storage.VhdActors.Messages;

/// <summary>
/// Flushes and closes the image and stops its actor. Reply: <see cref="ImageAck"/>. A later
/// request for the same path opens the image again.
/// </summary>
/// <param name="Path">Full path of the image file.</param>
/// <param name="TraceContext">The caller's trace context.</param>
/// <param name="Cancellation">The caller's token.</param>
internal sealed record CloseImage(string Path, ActivityContext TraceContext = default, CancellationToken Cancellation = default) : IImageRequest;
