using System.Diagnostics;
using Storage.VhdEngine.Disks;

namespace Storage.VhdActors.Messages;

/// <summary>Creates a fixed or dynamic image and keeps it open read-write. Reply: <see cref="ImageOpened"/>.</summary>
/// <param name="Path">Full path of the new image file; it must not exist.</param>
/// <param name="Options">Type and size of the image.</param>
/// <param name="TraceContext">The caller's trace context.</param>
/// <param name="Cancellation">The caller's token.</param>
internal sealed record CreateImage(string Path, VhdCreateOptions Options, ActivityContext TraceContext = default, CancellationToken Cancellation = default) : IImageRequest;
