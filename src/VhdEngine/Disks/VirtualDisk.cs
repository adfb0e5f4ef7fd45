using System.Buffers;
using System.IO.Abstractions;
using Storage.VhdEngine.Format;

namespace Storage.VhdEngine.Disks;

/// <summary>
/// An open VHD image: fixed, dynamic or differencing (<see cref="Open"/>, <see cref="Create"/>,
/// <see cref="CreateDifferencing"/>). Reads and writes at any byte offset and length;
/// <see cref="Flush()"/> is the durability point (DESIGN.md §4): a write returns before it is
/// durable, as on any block device. The image is locked for as long as it is open (DESIGN.md §10).
/// Instances are thread-safe, which is what lets read-only parents be shared: reads, and writes that
/// change no allocation or bitmap state (<see cref="CanWriteInPlace"/>), run side by side on
/// positional I/O; allocating writes, flushes and closing hold the disk's lock, one at a time.
/// Concurrent requests that overlap get no order among themselves, as on any block device. What the
/// image file says about itself is <see cref="Info"/>.
/// </summary>
public abstract partial class VirtualDisk : IDisposable, IAsyncDisposable
{
    /// <summary>
    /// The name of the engine's ActivitySource and Meter, "Storage.Vhd" (DESIGN.md §8): subscribe to
    /// it (or call AddVhdInstrumentation() from Storage.VhdActors) to get the vhd.* spans and metrics.
    /// </summary>
    public const string TelemetryName = "Storage.Vhd";

    /// <summary>A sector, 512 bytes: the unit the image stores, and the largest write a crash keeps or loses whole.</summary>
    public const int SectorSize = 512;

    private protected readonly object Gate = new();
    private protected readonly BlockFile File;
    private protected readonly ImageMetadata Metadata;
    // The image's lock and open file; null once handed to a reopened instance (Reopen).
    private ImageLock? _lock;
    private volatile string? _unusableReason;
    private volatile bool _disposed;
    // Writes completed so far, and the count the last durable sync covered (-1: none yet, so the
    // first flush of a writable session always syncs: a session that died without a flush may have
    // left writes the OS has not written back, and this one reads them).
    private long _writes;
    private long _syncedWrites = -1;
    private IReadOnlyList<VhdParentLocatorInfo>? _locators;

    private protected VirtualDisk(IFileSystem fs, string path, BlockFile file, ImageMetadata metadata, VhdOpenOptions options)
    {
        FileSystem = fs;
        Path = path;
        File = file;
        Metadata = metadata;
        Options = options;
        Length = metadata.VirtualSize;
    }

    /// <summary>The file system the image lives on.</summary>
    internal IFileSystem FileSystem { get; }

    /// <summary>Full path of the image file.</summary>
    public string Path { get; }

    /// <summary>Options the image was opened with.</summary>
    internal VhdOpenOptions Options { get; }

    /// <summary>Virtual size in bytes.</summary>
    public long Length { get; }

    /// <summary>The footer in force.</summary>
    internal VhdFooter Footer => Metadata.Footer;

    /// <summary>The dynamic header (null for fixed images).</summary>
    internal DynamicHeader? Header => Metadata.Header;

    /// <summary>Fixed, dynamic or differencing.</summary>
    internal VhdDiskType DiskType => Metadata.Footer.DiskType;

    /// <summary>True when the disk may be written: opened for writing, and not since made read-only (<see cref="ReopenReadOnly"/>).</summary>
    public bool CanWrite => File.CanWrite;

    /// <summary>
    /// Bytes of data per block of a dynamic or differencing image, the grain of allocation (and of
    /// <see cref="MayContainData"/>'s answers); 0 for a fixed image.
    /// </summary>
    public virtual int BlockSize => 0;

    /// <summary>Blocks allocated in this file (not its parents).</summary>
    internal virtual long AllocatedBlocks => 0;

    /// <summary>The parent of a differencing image (open read-only and shared: do not dispose it); null for other types.</summary>
    public VirtualDisk? Parent => ParentDisk;

    private protected virtual VirtualDisk? ParentDisk => null;

    /// <summary>Current length of the image file.</summary>
    internal long FileLength => File.Length;

    /// <summary>What open noticed without refusing the image (stale footer, missing feature bit...).</summary>
    internal IReadOnlyList<string> Warnings => Metadata.Warnings;

    /// <summary>Full paths of this image and its ancestors, leaf first.</summary>
    public IReadOnlyList<string> Chain
    {
        get
        {
            var list = new List<string>();
            for (VirtualDisk? d = this; d is not null; d = d.Parent) list.Add(d.Path);
            return list.AsReadOnly();
        }
    }

    /// <summary>
    /// What the image file says about itself (footer, dynamic header, parent locators) and what
    /// opening it found (warnings), with its allocated blocks and file length now: a read-only
    /// snapshot, built anew on every read of this property.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The disk is closed.</exception>
    /// <exception cref="VhdIOException">The file cannot be read (the parent locators' data is read the first time).</exception>
    public VhdImageInfo Info
    {
        get
        {
            lock (Gate)
            {
                ThrowIfDisposed();
                _locators ??= ImageInfoReader.Locators(File, Metadata);
                return ImageInfoReader.Describe(this, Metadata, _locators);
            }
        }
    }

    /// <summary>Reads <paramref name="buffer"/>.Length bytes at <paramref name="offset"/>; reads run side by side.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside the disk: <paramref name="offset"/> is negative or past <see cref="Length"/>, or the buffer runs past the end.</exception>
    /// <exception cref="ObjectDisposedException">The disk is closed.</exception>
    /// <exception cref="VhdIOException">The file cannot be read, or an earlier failed flush left the disk unusable (reopen it).</exception>
    public void Read(long offset, Span<byte> buffer)
    {
        CheckRange(offset, buffer.Length, nameof(buffer));
        CheckUsable();
        ReadCore(offset, buffer);
    }

    /// <summary>
    /// Writes <paramref name="data"/> at <paramref name="offset"/>; durable after the next
    /// <see cref="Flush()"/>. A write into space already allocated runs beside reads and other such
    /// writes; one that allocates holds the disk's lock.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside the disk: <paramref name="offset"/> is negative or past <see cref="Length"/>, or the data runs past the end.</exception>
    /// <exception cref="ObjectDisposedException">The disk is closed.</exception>
    /// <exception cref="VhdException">The disk is open read-only, or the image file is full (the format's 32-bit sector limit).</exception>
    /// <exception cref="VhdIOException">The file cannot be written, or an earlier failed flush left the disk unusable (reopen it).</exception>
    public void Write(long offset, ReadOnlySpan<byte> data)
    {
        CheckRange(offset, data.Length, nameof(data));
        if (!CanWrite) throw new VhdException($"{Path}: the image is open read-only");
        CheckUsable();
        // In place needs no lock: allocation only ever makes more ranges writable in place.
        if (!WriteInPlaceCore(offset, data))
        {
            lock (Gate)
            {
                CheckUsable();
                WriteCore(offset, data);
            }
        }
        Interlocked.Increment(ref _writes);
    }

    /// <summary>
    /// True when a durable flush must sync the file: some write completed since the last sync (or
    /// this session has not synced yet). <paramref name="writes"/> is the count to pass to
    /// <see cref="MarkSynced"/> once the sync returns: writes that complete during it wait for the next.
    /// </summary>
    private protected bool NeedsSync(out long writes)
    {
        writes = Interlocked.Read(ref _writes);
        return writes != _syncedWrites;
    }

    /// <summary>A sync covered the first <paramref name="writes"/> writes.</summary>
    private protected void MarkSynced(long writes) => _syncedWrites = writes;

    /// <summary>Something was written that no sync covers yet (metadata written without one).</summary>
    private protected void MarkUnsynced() => _syncedWrites = -1;

    /// <summary>
    /// Discards [<paramref name="offset"/>, <paramref name="offset"/>+<paramref name="length"/>)
    /// (TRIM): from now on it reads zeros, durable after the next <see cref="Flush()"/>. A dynamic
    /// image frees the whole blocks the range covers (their BAT entries cleared at that flush; the
    /// space comes back at the next compaction) and zeroes the rest where it holds data; a
    /// differencing image writes zeros wherever the chain may hold data (it cannot reveal its
    /// parent); a fixed image writes zeros.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is outside the disk.</exception>
    /// <exception cref="VhdException">The image is open read-only.</exception>
    /// <exception cref="VhdIOException">The file cannot be written.</exception>
    public void Discard(long offset, long length)
    {
        CheckRange(offset, length, nameof(length));
        if (!CanWrite) throw new VhdException($"{Path}: image is open read-only");
        lock (Gate)
        {
            CheckUsable();
            DiscardCore(offset, length);
        }
        Interlocked.Increment(ref _writes);
    }

    /// <summary>Makes every earlier write durable: when it returns they survive any crash (DESIGN.md §4). Does nothing on a read-only disk.</summary>
    /// <exception cref="ObjectDisposedException">The disk is closed.</exception>
    /// <exception cref="VhdIOException">The file cannot be written or synced: the disk is then unusable (<see cref="VhdIOException.DiskUsable"/> false) until reopened.</exception>
    public void Flush() => Flush(durable: true);

    /// <summary>
    /// Writes the metadata that describes every earlier write (BAT, bitmaps) into the file. With
    /// <paramref name="durable"/> (what <see cref="Flush()"/> does) the protocol of DESIGN.md §4
    /// runs: fsync, metadata, fsync, so the writes survive any crash. Without it the metadata is
    /// written but nothing is fsynced: the file is complete for any reader, but a crash before the
    /// kernel writes it back may lose or tear it (what cp and qemu-img convert promise: for
    /// building a new file, e.g. a conversion's target). A later durable flush makes it all durable.
    /// </summary>
    internal void Flush(bool durable)
    {
        ThrowIfDisposed();
        if (!CanWrite) return;
        lock (Gate)
        {
            CheckUsable();
            try { FlushCore(durable); }
            catch (VhdIOException e)
            {
                // After a failed fsync the kernel may have dropped the dirty pages: nothing
                // written since the last good flush can be trusted, so refuse further use.
                _unusableReason = $"a flush failed ({e.Message}); reopen the image";
                throw new VhdIOException($"{Path}: flush failed; the disk must be reopened", e.InnerException ?? e, diskUsable: false);
            }
        }
    }

    /// <summary>Asynchronous <see cref="Read"/> (the work runs on the calling thread); errors come back in the task.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside the disk.</exception>
    /// <exception cref="ObjectDisposedException">The disk is closed.</exception>
    /// <exception cref="VhdIOException">The file cannot be read.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired before the read started.</exception>
    public ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled(cancellationToken);
        try { Read(offset, buffer.Span); return ValueTask.CompletedTask; }
        catch (Exception e) { return ValueTask.FromException(e); }
    }

    /// <summary>Asynchronous <see cref="Write"/> (the work runs on the calling thread); errors come back in the task.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside the disk.</exception>
    /// <exception cref="ObjectDisposedException">The disk is closed.</exception>
    /// <exception cref="VhdException">The disk is open read-only, or the image file is full.</exception>
    /// <exception cref="VhdIOException">The file cannot be written.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired before the write started.</exception>
    public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled(cancellationToken);
        try { Write(offset, data.Span); return ValueTask.CompletedTask; }
        catch (Exception e) { return ValueTask.FromException(e); }
    }

    /// <summary>Asynchronous <see cref="Discard"/>.</summary>
    public ValueTask DiscardAsync(long offset, long length, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled(cancellationToken);
        try { Discard(offset, length); return ValueTask.CompletedTask; }
        catch (Exception e) { return ValueTask.FromException(e); }
    }

    /// <summary>Asynchronous <see cref="Flush()"/> (the work runs on the calling thread); errors come back in the task.</summary>
    /// <exception cref="ObjectDisposedException">The disk is closed.</exception>
    /// <exception cref="VhdIOException">The file cannot be written or synced (the disk is then unusable until reopened).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired before the flush started.</exception>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled(cancellationToken);
        try { Flush(); return ValueTask.CompletedTask; }
        catch (Exception e) { return ValueTask.FromException(e); }
    }

    /// <summary>
    /// False when [offset, offset+length) certainly reads as zeros because no file in the chain
    /// holds data there (unallocated blocks); true when it may hold data.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside the disk.</exception>
    /// <exception cref="ObjectDisposedException">The disk is closed.</exception>
    /// <exception cref="VhdIOException">A differencing image's bitmap cannot be read.</exception>
    public bool MayContainData(long offset, long length)
    {
        CheckRange(offset, length, nameof(length));
        return MayContainDataCore(offset, length);
    }

    /// <summary>
    /// True when writing [offset, offset+length) changes no allocation, bitmap or footer state:
    /// a fixed image, or blocks already allocated (and, in a differencing image, sectors already
    /// marked present). Such writes need no serialization with allocation, which is what lets a
    /// caller other than the image's owner perform them. Allocation only ever makes this true for
    /// more ranges, so a true answer stays true while the disk is open.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside the disk.</exception>
    /// <exception cref="ObjectDisposedException">The disk is closed.</exception>
    /// <exception cref="VhdIOException">A differencing image's bitmap cannot be read.</exception>
    public bool CanWriteInPlace(long offset, long length)
    {
        CheckRange(offset, length, nameof(length));
        if (!CanWrite) return false;
        return _unusableReason is null && CanWriteInPlaceCore(offset, length);
    }

    private protected virtual bool CanWriteInPlaceCore(long offset, long length) => true;

    /// <summary>Reads; called without the disk's lock, side by side with other calls.</summary>
    private protected abstract void ReadCore(long offset, Span<byte> buffer);

    /// <summary>Writes what changes no allocation or bitmap state, without the disk's lock; false (nothing written) otherwise.</summary>
    private protected abstract bool WriteInPlaceCore(long offset, ReadOnlySpan<byte> data);

    /// <summary>Writes (allocating where needed) with the disk's lock held.</summary>
    private protected abstract void WriteCore(long offset, ReadOnlySpan<byte> data);
    private protected abstract void FlushCore(bool durable);
    private protected virtual bool MayContainDataCore(long offset, long length) => true;
    private protected virtual void DiscardCore(long offset, long length) => WriteZeros(offset, length);

    /// <summary>Writes zeros over the parts of the range that may hold data, a megabyte at most per write.</summary>
    private protected void WriteZeros(long offset, long length)
    {
        const int Chunk = 1024 * 1024;
        byte[] zeros = ArrayPool<byte>.Shared.Rent(Chunk);
        try
        {
            zeros.AsSpan(0, Chunk).Clear();
            for (long end = offset + length; offset < end;)
            {
                // Chunks end on megabyte boundaries, so a sector is never split between two writes.
                int n = (int)Math.Min(Chunk - offset % Chunk, end - offset);
                if (MayContainDataCore(offset, n)) WriteCore(offset, zeros.AsSpan(0, n));
                offset += n;
            }
        }
        finally { ArrayPool<byte>.Shared.Return(zeros); }
    }

    /// <summary>
    /// A range outside the disk is the caller's mistake: <see cref="ArgumentOutOfRangeException"/>
    /// naming <c>offset</c> when the offset itself is outside, else the length's parameter.
    /// </summary>
    private void CheckRange(long offset, long length, string lengthParameter)
    {
        ThrowIfDisposed();
        if (offset < 0 || offset > Length)
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"{Path}: range {offset}+{length} is outside the disk (virtual size {Length})");
        if (length < 0 || length > Length - offset)
            throw new ArgumentOutOfRangeException(lengthParameter, length, $"{Path}: range {offset}+{length} is outside the disk (virtual size {Length})");
    }

    /// <summary>A closed disk names the public type, not the internal one the open chose.</summary>
    private protected void ThrowIfDisposed()
    {
        if (_disposed) throw new ObjectDisposedException(nameof(VirtualDisk), $"{Path}: the disk is closed");
    }

    private void CheckUsable()
    {
        if (_unusableReason is not null) throw new VhdIOException($"{Path}: {_unusableReason}", new IOException(_unusableReason), diskUsable: false);
    }

    /// <summary>
    /// Closes the image (without flushing: unflushed writes are not promised to survive), which
    /// releases its lock, and its parents' when no other open image uses them.
    /// </summary>
    public void Dispose()
    {
        lock (Gate)
        {
            if (_disposed) return;
            _disposed = true;
            OpenChildren.Remove(this);
            _lock?.Dispose();
            _lock = null;
            ReleaseParent();
        }
        GC.SuppressFinalize(this);
    }

    /// <summary>Asynchronous <see cref="Dispose"/>.</summary>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private protected virtual void ReleaseParent() { }
}
