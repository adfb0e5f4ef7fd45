using System.Diagnostics;

namespace Storage.VhdActors.Messages;

/// <summary>
/// Freezes the image at <paramref name="ParentPath"/> (flushed and closed, reopened read-only
/// from then on) and creates a differencing child over it at <paramref name="Path"/>, kept
/// open read-write. Reply: <see cref="ImageOpened"/> for the child.
/// </summary>
/// <param name="Path">Full path of the new child image.</param>
/// <param name="ParentPath">Full path of the image to freeze.</param>
/// <param name="TraceContext">The caller's trace context.</param>
/// <param name="Cancellation">The caller's token.</param>
internal sealed record SnapshotImage(string Path, string ParentPath, ActivityContext TraceContext = default, CancellationToken Cancellation = default) : IImageRequest;
