using System.Diagnostics;

namespace Storage.VhdActors.Messages;

/// <summary>
/// Compacts the image in place (<c>VhdMaintenance.Compact</c>). The image is flushed and closed in
/// this store first, and requests for it wait until the compaction is done. Reply: the engine's <c>CompactResult</c>.
/// </summary>
/// <param name="Path">Full path of the image file.</param>
/// <param name="Force">Compact a parent that children use.</param>
/// <param name="TraceContext">The caller's trace context.</param>
/// <param name="Cancellation">The caller's token.</param>
internal sealed record CompactImage(string Path, bool Force, ActivityContext TraceContext = default, CancellationToken Cancellation = default) : IImageRequest;
