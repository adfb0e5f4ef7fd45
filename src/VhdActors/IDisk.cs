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
}
