namespace Storage.FaultInjection;

/// <summary>One entry of <see cref="FaultFileSystem.Trace"/>.</summary>
/// <param name="Index">0-based position among the file system's counted operations (-1 for uncounted entries).</param>
/// <param name="Kind">What was done.</param>
/// <param name="Path">Full path of the file (the source for a move or copy).</param>
/// <param name="Offset">Stream position for reads and writes, the new length for a length change, else 0.</param>
/// <param name="Length">Bytes asked for (after any short-read shortening) or written, else 0.</param>
/// <param name="Faulted">True when an injected fault made this operation fail.</param>
public readonly record struct FaultOperation(long Index, FaultOperationKind Kind, string Path, long Offset, long Length, bool Faulted);
