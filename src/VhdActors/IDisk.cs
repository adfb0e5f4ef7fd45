using Storage.VhdEngine;

namespace Storage.VhdActors;

/// <summary>
/// A handle on an open image. Reads and writes go to the image's actor, one at a time per
/// image in arrival order. A write returns before it is durable; <see cref="FlushAsync"/> is the
/// durability point. Disposing the last handle on an image flushes and closes it.
/// </summary>
public interface IDisk : IAsyncDisposable
{
    /// <summary>Full path of the image file.</summary>
    string Path { get; }

    /// <summary>Virtual size in bytes.</summary>
    long Length { get; }

    /// <summary>True when the handle may write.</summary>
    bool CanWrite { get; }

    /// <summary>Paths of the image and its parents, leaf first.</summary>
    IReadOnlyList<string> Chain { get; }

    /// <summary>Reads at <paramref name="offset"/> into <paramref name="buffer"/>; returns the bytes read (fewer only at the end of the disk, 0 past it).</summary>
    Task<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default);

    /// <summary>Writes <paramref name="data"/> at <paramref name="offset"/>; the range must lie inside the disk. The data is copied: the caller may reuse its buffer at once.</summary>
    Task WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);

    /// <summary>Makes every earlier write durable.</summary>
    Task FlushAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Where the disk stores nothing: the run of bytes at <paramref name="offset"/> (at most
    /// <paramref name="length"/>) that is either all a hole (reads as zeros; no file of the chain
    /// holds it) or all possibly data. Runs follow the image's blocks; a fixed image is one run of
    /// data. What sparse copies and NBD block status need to skip holes without reading them.
    /// </summary>
    /// <exception cref="VhdArgumentException">The range is empty or not inside the disk.</exception>
    /// <exception cref="VhdException">The image could not be reached (closed, stopped after an error).</exception>
    ValueTask<DiskAllocation> GetAllocationAsync(long offset, long length, CancellationToken cancellationToken = default);
}
