using System.Diagnostics;

namespace Storage.VhdActors.Messages;

/// <summary>
/// Discards (TRIMs) <paramref name="Length"/> bytes at <paramref name="Offset"/>: they read zeros
/// from now on; a dynamic image frees the whole blocks the range covers, durable after the next
/// flush. Changes allocation, so only the actor does it (as an allocating write). Reply: <see cref="ImageAck"/>.
/// </summary>
/// <param name="Path">Full path of the image file.</param>
/// <param name="Offset">Byte offset on the virtual disk.</param>
/// <param name="Length">Bytes to discard.</param>
/// <param name="TraceContext">The caller's trace context.</param>
/// <param name="Cancellation">The caller's token.</param>
internal sealed record DiscardImage(string Path, long Offset, long Length, ActivityContext TraceContext = default, CancellationToken Cancellation = default) : IImageRequest;
