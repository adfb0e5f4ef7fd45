using System.Diagnostics;

namespace Storage.VhdActors.Messages;

/// <summary>Opens an existing image (and its parents, read-only). Reply: <see cref="ImageOpened"/>.</summary>
/// <param name="Path">Full path of the image file.</param>
/// <param name="Access">Read, or ReadWrite to allow writes.</param>
/// <param name="TraceContext">The caller's trace context.</param>
/// <param name="Cancellation">The caller's token.</param>
internal sealed record OpenImage(string Path, FileAccess Access, ActivityContext TraceContext = default, CancellationToken Cancellation = default) : IImageRequest;
