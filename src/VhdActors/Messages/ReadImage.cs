using System.Diagnostics;

namespace Storage.VhdActors.Messages;

/// <summary>Reads <paramref name="Length"/> bytes at <paramref name="Offset"/>. Reply: <see cref="ImageData"/>.</summary>
/// <param name="Path">Full path of the image file.</param>
/// <param name="Offset">Byte offset on the virtual disk.</param>
/// <param name="Length">Number of bytes; the range must lie inside the disk.</param>
/// <param name="TraceContext">The caller's trace context.</param>
/// <param name="Cancellation">The caller's token.</param>
internal sealed record ReadImage(string Path, long Offset, int Length, ActivityContext TraceContext = default, CancellationToken Cancellation = default) : IImageRequest;
