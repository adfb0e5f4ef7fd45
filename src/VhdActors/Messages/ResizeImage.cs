using System.Diagnostics;

namespace Storage.VhdActors.Messages;

/// <summary>
/// Changes the image's virtual size in place (<c>VhdMaintenance.Resize</c>). The image is flushed
/// and closed in this store first, and requests for it wait until the resize is done. Reply: <see cref="ImageResized"/>.
/// </summary>
/// <param name="Path">Full path of the image file.</param>
/// <param name="Size">The new virtual size (rounded as a create rounds it).</param>
/// <param name="AllowShrink">Allow a shrink (refused over data).</param>
/// <param name="Force">Resize a parent that children use.</param>
/// <param name="TraceContext">The caller's trace context.</param>
/// <param name="Cancellation">The caller's token.</param>
internal sealed record ResizeImage(string Path, long Size, bool AllowShrink, bool Force, ActivityContext TraceContext = default, CancellationToken Cancellation = default) : IImageRequest;

/// <summary>Reply to <see cref="ResizeImage"/>.</summary>
/// <param name="Size">The new virtual size.</param>
internal sealed record ImageResized(long Size);
