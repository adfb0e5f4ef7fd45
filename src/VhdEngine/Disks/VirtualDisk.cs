using System.Buffers;
using System.IO.Abstractions;
using Storage.VhdEngine.Format;

namespace Storage.VhdEngine.Disks;

/// <summary>
/// An open VHD image: fixed, dynamic or differencing. Reads and writes at any byte offset and
/// length; <see cref="Flush()"/> is the durability point (DESIGN.md §4). Instances are thread-safe,
/// which is what lets read-only parents be shared: reads, and writes that change no allocation or
/// bitmap state (<see cref="CanWriteInPlace"/>), run side by side on positional I/O; allocating
/// writes, flushes and closing hold the disk's lock, one at a time. Concurrent requests that
/// overlap get no order among themselves, as on any block device.
/// </summary>
public abstract partial class VirtualDisk : IDisposable, IAsyncDisposable
{
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
    public IFileSystem FileSystem { get; }

    /// <summary>Full path of the image file.</summary>
    public string Path { get; }

    /// <summary>Options the image was opened with.</summary>
    public VhdOpenOptions Options { get; }

    /// <summary>Virtual size in bytes.</summary>
    public long Length { get; }

    /// <summary>The footer in force.</summary>
    public VhdFooter Footer => Metadata.Footer;

    /// <summary>The dynamic header (null for fixed images).</summary>
    public DynamicHeader? Header => Metadata.Header;

    /// <summary>Fixed, dynamic or differencing.</summary>
    public DiskType DiskType => Metadata.Footer.DiskType;

    /// <summary>True when opened for writing.</summary>
    public bool CanWrite => File.CanWrite;

    /// <summary>Block size of dynamic and differencing images; 0 for fixed ones.</summary>
    public virtual int BlockSize => 0;

    /// <summary>Blocks allocated in this file (not its parents).</summary>
    public virtual long AllocatedBlocks => 0;

    /// <summary>The parent of a differencing image.</summary>
    public virtual VirtualDisk? Parent => null;

    /// <summary>Current length of the image file.</summary>
    public long FileLength => File.Length;

    /// <summary>What open noticed without refusing the image (stale footer, missing feature bit...).</summary>
    public IReadOnlyList<string> Warnings => Metadata.Warnings;

    /// <summary>Paths of this image and its ancestors, leaf first.</summary>
    public IReadOnlyList<string> Chain
    {
        get
        {
            var list = new List<string>();
            for (VirtualDisk? d = this; d is not null; d = d.Parent) list.Add(d.Path);
            return list;
        }
    }

    /// <summary>Reads <paramref name="buffer"/>.Length bytes at <paramref name="offset"/>; reads run side by side.</summary>
    public void Read(long offset, Span<byte> buffer)
    {
        CheckRange(offset, buffer.Length);
        CheckUsable();
        ReadCore(offset, buffer);
    }

    /// <summary>
    /// Writes <paramref name="data"/> at <paramref name="offset"/>; durable after the next
    /// <see cref="Flush()"/>. A write into space already allocated runs beside reads and other such
    /// writes; one that allocates holds the disk's lock.
    /// </summary>
    public void Write(long offset, ReadOnlySpan<byte> data)
    {
        CheckRange(offset, data.Length);
        if (!CanWrite) throw new VhdException($"{Path}: image is open read-only");
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
    /// <exception cref="VhdArgumentException">The range is outside the disk.</exception>
    /// <exception cref="VhdException">The image is open read-only.</exception>
    /// <exception cref="VhdIOException">The file cannot be written.</exception>
    public void Discard(long offset, long length)
    {
        CheckRange(offset, length);
        if (!CanWrite) throw new VhdException($"{Path}: image is open read-only");
        lock (Gate)
        {
            CheckUsable();
            DiscardCore(offset, length);
        }
        Interlocked.Increment(ref _writes);
    }

    /// <summary>Makes every earlier write durable.</summary>
    public void Flush() => Flush(durable: true);

    /// <summary>
    /// Writes the metadata that describes every earlier write (BAT, bitmaps) into the file. With
    /// <paramref name="durable"/> (what <see cref="Flush()"/> does) the protocol of DESIGN.md §4
    /// runs: fsync, metadata, fsync, so the writes survive any crash. Without it the metadata is
    /// written but nothing is fsynced: the file is complete for any reader, but a crash before the
    /// kernel writes it back may lose or tear it (what cp and qemu-img convert promise: for
    /// building a new file, e.g. a conversion's target). A later durable flush makes it all durable.
    /// </summary>
    public void Flush(bool durable)
    {
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

    /// <summary>Asynchronous <see cref="Read"/>.</summary>
    public ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled(cancellationToken);
        try { Read(offset, buffer.Span); return ValueTask.CompletedTask; }
        catch (Exception e) { return ValueTask.FromException(e); }
    }

    /// <summary>Asynchronous <see cref="Write"/>.</summary>
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

    /// <summary>Asynchronous <see cref="Flush()"/>.</summary>
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
    public bool MayContainData(long offset, long length)
    {
        CheckRange(offset, length);
        return MayContainDataCore(offset, length);
    }

    /// <summary>
    /// True when writing [offset, offset+length) changes no allocation, bitmap or footer state:
    /// a fixed image, or blocks already allocated (and, in a differencing image, sectors already
    /// marked present). Such writes need no serialization with allocation, which is what lets a
    /// caller other than the image's owner perform them. Allocation only ever makes this true for
    /// more ranges, so a true answer stays true while the disk is open.
    /// </summary>
    public bool CanWriteInPlace(long offset, long length)
    {
        CheckRange(offset, length);
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

    private void CheckRange(long offset, long length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (offset < 0 || length < 0 || offset > Length || length > Length - offset)
            throw new VhdArgumentException("offset", $"range {offset}+{length} is outside the disk (virtual size {Length})");
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

    /// <summary>
    /// Opens an existing image (and, for a differencing image, its chain of parents read-only),
    /// locked for as long as it is open (DESIGN.md §10): for writing, exclusively (every other
    /// writer and reader is refused, in this process or another); for reading, shared with other
    /// readers (refused while a writer holds the image, unless <see cref="VhdOpenOptions.ForceShare"/>).
    /// Parents are held shared. Refusals are immediate: nothing waits for a lock.
    /// </summary>
    /// <exception cref="VhdImageInUseException">Another owner holds a conflicting lock.</exception>
    /// <exception cref="VhdFormatException">The image or a parent is malformed.</exception>
    /// <exception cref="VhdIOException">A file cannot be read.</exception>
    /// <exception cref="VhdException">No such file, a read-only file opened for writing, or ForceShare asked for a writable open.</exception>
    public static VirtualDisk Open(IFileSystem fs, string path, FileAccess access = FileAccess.Read, VhdOpenOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(fs);
        ArgumentNullException.ThrowIfNull(path);
        options ??= VhdOpenOptions.Default;
        bool writable = access != FileAccess.Read;
        if (writable && options.ForceShare)
            throw new VhdArgumentException("ForceShare", "only read-only opens can share an image with a writer; an image opened for writing is always locked exclusively");
        return OpenInChain(fs, fs.Path.GetFullPath(path), writable, options, new ChainContext());
    }

    internal static VirtualDisk OpenInChain(IFileSystem fs, string fullPath, bool writable, VhdOpenOptions options, ChainContext chain)
    {
        if (!fs.File.Exists(fullPath))
            throw new VhdException($"{fullPath}: no such image file");
        if (writable && ParentCache.IsOpenAsParent(fs, fullPath))
            throw new VhdImageInUseException(fullPath, forWriting: true, "held read-only by this process as the parent of another open image");
        if (writable && (fs.File.GetAttributes(fullPath) & FileAttributes.ReadOnly) != 0)
            throw new VhdException($"{fullPath}: the file is read-only (a snapshot's frozen parent); commit its child or clear the attribute to write it");
        var mode = writable ? ImageLockMode.Exclusive : options.ForceShare ? ImageLockMode.ForceShare : ImageLockMode.Shared;
        var imageLock = ImageLock.Acquire(fs, fullPath, mode);
        try
        {
            return OpenOver(imageLock, options, chain);
        }
        catch
        {
            imageLock.Dispose();
            throw;
        }
    }

    /// <summary>Builds the disk over a held lock, which it then owns unless told otherwise; writable when the lock is exclusive.</summary>
    internal static VirtualDisk OpenOver(ImageLock imageLock, VhdOpenOptions options, ChainContext chain, bool ownsLock = true)
    {
        var fs = imageLock.FileSystem;
        string fullPath = imageLock.Path;
        var file = imageLock.File;
        var metadata = ImageMetadata.Load(file, options.AcceptChecksumMismatch);
        if (imageLock.Warning is { } warning) metadata.Warnings.Add(warning);
        VirtualDisk disk = metadata.Footer.DiskType switch
        {
            DiskType.Fixed => new FixedDisk(fs, fullPath, file, metadata, options),
            DiskType.Dynamic => new DynamicDisk(fs, fullPath, file, metadata, options),
            _ => DifferencingDisk.OpenWithParent(fs, fullPath, file, metadata, options, chain),
        };
        disk._lock = ownsLock ? imageLock : null;
        try
        {
            if (file.CanWrite) disk.RepairEndFooterOnOpen();
        }
        catch
        {
            disk._lock = null; // the caller still owns the lock
            disk.Dispose();
            throw;
        }
        if (disk.Parent is not null) OpenChildren.Add(disk);
        return disk;
    }

    /// <summary>
    /// Reloads the image from its file without letting go of it: a new instance over the same open
    /// file and lock (and the same parents, held throughout), with the metadata read again; this
    /// instance is closed without releasing anything. For recovering after an I/O error (a failed
    /// flush leaves a disk unusable until it is reopened) with no moment in which another owner
    /// could take the image. On failure this instance is left open (after
    /// <see cref="ReopenReadOnly"/>, read-only).
    /// </summary>
    /// <exception cref="VhdFormatException">The image no longer loads.</exception>
    /// <exception cref="VhdIOException">The file cannot be read.</exception>
    public VirtualDisk Reopen() => Reload(downgrade: false);

    /// <summary>
    /// Like <see cref="Reopen"/>, and the lock goes from exclusive to shared on the way: the
    /// returned instance is read-only, and other readers (and children) may open the image, but no
    /// writer could take it at any moment. Flush first: unflushed writes are not promised. Where
    /// share modes are the lock (Windows, MockFileSystem) the handle is reopened, so mark the file
    /// read-only first, as a snapshot does, to keep writers out in between.
    /// </summary>
    /// <exception cref="VhdImageInUseException">A writer took the image while its handle was reopened.</exception>
    /// <exception cref="VhdFormatException">The image no longer loads.</exception>
    /// <exception cref="VhdIOException">The file cannot be read.</exception>
    public VirtualDisk ReopenReadOnly() => Reload(downgrade: true);

    private VirtualDisk Reload(bool downgrade)
    {
        VirtualDisk fresh;
        lock (Gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var held = _lock ?? throw new ObjectDisposedException(Path);
            if (downgrade) held.Downgrade();
            // Opened while this instance still holds the parents, so they are never released in between.
            fresh = OpenOver(held, Options, new ChainContext());
            _lock = null;
        }
        Dispose();
        return fresh;
    }

    private protected virtual void RepairEndFooterOnOpen() { }
}
