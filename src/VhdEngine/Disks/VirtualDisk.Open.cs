using System.IO.Abstractions;

namespace Storage.VhdEngine.Disks;

public abstract partial class VirtualDisk
{
    /// <summary>
    /// Opens an existing image (and, for a differencing image, its chain of parents read-only),
    /// locked for as long as it is open (DESIGN.md §10): for writing, exclusively (every other
    /// writer and reader is refused, in this process or another); for reading, shared with other
    /// readers (refused while a writer holds the image, unless <see cref="VhdOpenOptions.ForceShare"/>).
    /// Parents are held shared. Refusals are immediate: nothing waits for a lock.
    /// </summary>
    /// <param name="fs">The file system the image lives on (System.IO.Abstractions' FileSystem for the real one).</param>
    /// <param name="path">The image file.</param>
    /// <param name="access"><see cref="FileAccess.Read"/> (the default) or, to write, <see cref="FileAccess.ReadWrite"/> or <see cref="FileAccess.Write"/>.</param>
    /// <param name="options">How to open it and resolve its parents; null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="fs"/> or <paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><see cref="VhdOpenOptions.ForceShare"/> asked for a writable open.</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/> (a differencing image's missing parent is a <see cref="VhdFormatException"/> naming every path tried).</exception>
    /// <exception cref="VhdImageInUseException">Another owner holds a conflicting lock.</exception>
    /// <exception cref="VhdFormatException">The image or a parent is malformed.</exception>
    /// <exception cref="VhdIOException">A file cannot be read.</exception>
    /// <exception cref="VhdException">A read-only file (a snapshot's frozen parent) opened for writing.</exception>
    public static VirtualDisk Open(IFileSystem fs, string path, FileAccess access = FileAccess.Read, VhdOpenOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(fs);
        ArgumentNullException.ThrowIfNull(path);
        options ??= VhdOpenOptions.Default;
        bool writable = access != FileAccess.Read;
        string fullPath = fs.Path.GetFullPath(path);
        if (writable && options.ForceShare)
            throw new ArgumentException($"{fullPath}: only read-only opens can share an image with a writer; an image opened for writing is always locked exclusively (VhdOpenOptions.ForceShare)", nameof(options));
        return OpenInChain(fs, fullPath, writable, options, new ChainContext());
    }

    /// <summary>A missing image: <see cref="FileNotFoundException"/>, naming it, as File.Open does.</summary>
    internal static FileNotFoundException Missing(string fullPath, Exception? inner = null) => new($"{fullPath}: no such image file", fullPath, inner);

    internal static VirtualDisk OpenInChain(IFileSystem fs, string fullPath, bool writable, VhdOpenOptions options, ChainContext chain)
    {
        if (!fs.File.Exists(fullPath))
            throw Missing(fullPath);
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
            VhdDiskType.Fixed => new FixedDisk(fs, fullPath, file, metadata, options),
            VhdDiskType.Dynamic => new DynamicDisk(fs, fullPath, file, metadata, options),
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
    /// <exception cref="ObjectDisposedException">The disk is closed.</exception>
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
    /// <exception cref="ObjectDisposedException">The disk is closed.</exception>
    /// <exception cref="VhdImageInUseException">A writer took the image while its handle was reopened.</exception>
    /// <exception cref="VhdFormatException">The image no longer loads.</exception>
    /// <exception cref="VhdIOException">The file cannot be read.</exception>
    public VirtualDisk ReopenReadOnly() => Reload(downgrade: true);

    private VirtualDisk Reload(bool downgrade)
    {
        VirtualDisk fresh;
        lock (Gate)
        {
            ThrowIfDisposed();
            var held = _lock ?? throw new ObjectDisposedException(nameof(VirtualDisk), $"{Path}: the disk is closed");
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
