using System.Diagnostics;

namespace Storage.VhdActors.Messages;

/// <summary>Asks for the open image's <see cref="DiskInfo"/>. Reply: <see cref="DiskInfo"/>.</summary>
/// <param name="Path">Full path of the image file.</param>
/// <param name="TraceContext">The caller's trace context.</param>
/// <param name="Cancellation">The caller's token.</param>
internal sealed record QueryInfo(string Path, ActivityContext TraceContext = default, CancellationToken Cancellation = default) : IImageRequest;
