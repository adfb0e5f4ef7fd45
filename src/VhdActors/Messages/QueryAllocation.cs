using System.Diagnostics;

namespace Storage.VhdActors.Messages;

/// <summary>Asks for the allocation run at <paramref name="Offset"/>. Reply: <see cref="DiskAllocation"/>.</summary>
/// <param name="Path">Full path of the image file.</param>
/// <param name="Offset">Byte offset on the virtual disk.</param>
/// <param name="Length">Most bytes the run may cover; the range must be non-empty and inside the disk.</param>
/// <param name="TraceContext">The caller's trace context.</param>
/// <param name="Cancellation">The caller's token.</param>
internal sealed record QueryAllocation(string Path, long Offset, long Length, ActivityContext TraceContext = default, CancellationToken Cancellation = default) : IImageRequest;
