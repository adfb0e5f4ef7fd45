using System.Diagnostics;

namespace Storage.VhdActors.Messages;

/// <summary>Makes every earlier write to the image durable. Reply: <see cref="ImageAck"/>.</summary>
/// <param name="Path">Full path of the image file.</param>
/// <param name="TraceContext">The caller's trace context.</param>
/// <param name="Cancellation">The caller's token.</param>
internal sealed record FlushImage(string Path, ActivityContext TraceContext = default, CancellationToken Cancellation = default) : IImageRequest;
