using System.Diagnostics;

namespace Storage.VhdActors.Messages;

/// <summary>
/// Writes <paramref name="Data"/> at <paramref name="Offset"/>; durable after the next flush.
/// Reply: <see cref="ImageAck"/>. The sender must not change the memory behind
/// <paramref name="Data"/> until the reply arrives (the facade sends a private copy).
/// </summary>
/// <param name="Path">Full path of the image file.</param>
/// <param name="Offset">Byte offset on the virtual disk.</param>
/// <param name="Data">The bytes to write.</param>
/// <param name="TraceContext">The caller's trace context.</param>
/// <param name="Cancellation">The caller's token.</param>
internal sealed record WriteImage(string Path, long Offset, ReadOnlyMemory<byte> Data, ActivityContext TraceContext = default, CancellationToken Cancellation = default) : IImageRequest;
