using Storage.VhdEngine;

namespace Storage.VhdActors;

/// <summary>
/// A handle on an open image. Reads, and writes into space the image has already allocated, run on
/// the caller's thread (<see cref="VhdStorageOptions.InlineIo"/>, the default); a write that allocates
/// a block or sets bitmap bits, every flush, and with <c>InlineIo = false</c> every request, goes to
/// the image's actor, in arrival order. A caller's requests issued one after another take effect in
/// that order; requests in flight at the same time on overlapping bytes are not ordered against each
/// other (as on a block device: a read may see parts of a concurrent write). A write returns before it is durable;
/// <see cref="FlushAsync"/> is the durability point. Disposing the last handle on an image flushes and
/// closes it.
/// </summary>
/// <remarks>
/// Cancellation: a call whose token fires before it completes throws an
/// <see cref="OperationCanceledException"/> carrying that token, whatever stage it had reached; a
/// write cancelled after it was sent may still land (as with any block device, only a flush that
/// returns promises anything). Errors are the engine's: <c>VhdIOException</c> (the request failed; the
/// image's actor reopens it), <c>VhdFormatException</c>, <c>VhdImageInUseException</c>, and the BCL's
/// for a caller's mistake.
/// </remarks>
public interface IDisk : IAsyncDisposable
{
    /// <summary>Full path of the image file.</summary>
    string Path { get; }

    /// <summary>Virtual size in bytes.</summary>
    long Length { get; }

    /// <summary>
    /// True when the handle may write: it was opened for writing, it is not disposed, and no snapshot
    /// has since made the image a frozen parent (writes then go to the snapshot's child).
    /// </summary>
    bool CanWrite { get; }

    /// <summary>Paths of the image and its parents, leaf first.</summary>
    IReadOnlyList<string> Chain { get; }

    /// <summary>Reads at <paramref name="offset"/> into <paramref name="buffer"/>; returns the bytes read (fewer only at the end of the disk, 0 at or past it).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is negative.</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    /// <exception cref="IOException">The image could not be read (<c>VhdIOException</c>), or is malformed or no longer available (<c>VhdException</c> and its kinds).</exception>
    Task<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes <paramref name="data"/> at <paramref name="offset"/>; the range must lie inside the disk.
    /// The data is copied: the caller may reuse its buffer as soon as the task completes (or is cancelled).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside the disk.</exception>
    /// <exception cref="NotSupportedException">The handle cannot write (<see cref="CanWrite"/> is false).</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    /// <exception cref="IOException">The image could not be written (<c>VhdIOException</c>), or is malformed or no longer available (<c>VhdException</c> and its kinds).</exception>
    Task WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);

    /// <summary>Makes every earlier write durable (DESIGN.md §4). Nothing to do on a handle that cannot write.</summary>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    /// <exception cref="IOException">The flush failed (<c>VhdIOException</c>): earlier writes are not promised.</exception>
    Task FlushAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Discards (TRIMs) <paramref name="length"/> bytes at <paramref name="offset"/>: they read zeros
    /// from now on. A dynamic image frees the whole blocks the range covers and zeroes the rest; a
    /// differencing or fixed image writes zeros. Durable, like a write, at the next
    /// <see cref="FlushAsync"/>; the freed space leaves the file at the next
    /// <see cref="IDiskStore.CompactAsync"/>. Goes to the image's actor (it changes allocation).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside the disk.</exception>
    /// <exception cref="NotSupportedException">The handle cannot write (<see cref="CanWrite"/> is false).</exception>
    /// <exception cref="ObjectDisposedException">The handle was disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    /// <exception cref="IOException">The image could not be written (<c>VhdIOException</c>), or is malformed or no longer available (<c>VhdException</c> and its kinds).</exception>
    Task DiscardAsync(long offset, long length, CancellationToken cancellationToken = default);

    /// <summary>
    /// Where the disk stores nothing: the run of bytes at <paramref name="offset"/> (at most
    /// <paramref name="length"/>) that is either all a hole (reads as zeros; no file of the chain
    /// holds it) or all possibly data. Runs follow the image's blocks; a fixed image is one run of
    /// data. What sparse copies and NBD block status need to skip holes without reading them.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is empty or not inside the disk.</exception>
    /// <exception cref="VhdException">The image could not be reached (closed, stopped after an error).</exception>
    ValueTask<DiskAllocation> GetAllocationAsync(long offset, long length, CancellationToken cancellationToken = default);

    /// <summary>
    /// A seekable <see cref="Stream"/> over the whole disk (see <see cref="VirtualDiskStream"/>).
    /// The stream does not own the handle: dispose the handle after the stream.
    /// </summary>
    VirtualDiskStream AsStream() => new(this, leaveOpen: true);

    /// <summary>
    /// A seekable <see cref="Stream"/> over the window of <paramref name="length"/> bytes at
    /// <paramref name="offset"/> (a partition, say): position 0 is <paramref name="offset"/> on the disk
    /// and the stream ends where the window does. The stream does not own the handle.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The window is not inside the disk.</exception>
    VirtualDiskStream AsStream(long offset, long length) => new(this, offset, length, leaveOpen: true);
}
