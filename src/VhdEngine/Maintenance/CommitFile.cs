using System.IO.Abstractions;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;

namespace Storage.VhdEngine.Maintenance;

/// <summary>
/// One of the two files a commit works on: locked (the child shared or exclusive, the parent
/// exclusive), its metadata loaded, and a read-only attribute cleared for writing and put back.
/// </summary>
internal sealed class CommitFile : IDisposable
{
    private readonly IFileSystem _fs;
    private readonly FileAttributes? _clearedAttributes;
    private ImageLock? _lock;

    private CommitFile(IFileSystem fs, string path, ImageLock imageLock, ImageMetadata metadata, FileAttributes? cleared)
    {
        _fs = fs;
        Path = path;
        _lock = imageLock;
        Metadata = metadata;
        _clearedAttributes = cleared;
    }

    public string Path { get; }

    public ImageMetadata Metadata { get; private set; }

    public ImageLock Lock => _lock ?? throw new ObjectDisposedException(Path);

    public BlockFile File => Lock.File;

    /// <summary>Locks <paramref name="path"/> (clearing a read-only attribute first when it will be written) and loads it.</summary>
    public static CommitFile Open(IFileSystem fs, string path, bool exclusive, VhdOpenOptions options)
    {
        if (!fs.File.Exists(path)) throw VirtualDisk.Missing(path);
        FileAttributes? cleared = null;
        var attributes = fs.File.GetAttributes(path);
        if (exclusive && (attributes & FileAttributes.ReadOnly) != 0)
        {
            SetAttributes(fs, path, attributes & ~FileAttributes.ReadOnly);
            cleared = attributes;
        }
        ImageLock? imageLock = null;
        try
        {
            imageLock = ImageLock.Acquire(fs, path, exclusive ? ImageLockMode.Exclusive : ImageLockMode.Shared);
            return new CommitFile(fs, path, imageLock, ImageMetadata.Load(imageLock.File, options.AcceptChecksumMismatch), cleared);
        }
        catch
        {
            imageLock?.Dispose();
            if (cleared is { } original) SetAttributes(fs, path, original);
            throw;
        }
    }

    /// <summary>The unique id of <paramref name="path"/>'s footer now, read without taking anyone's lock.</summary>
    public static Guid PeekUniqueId(IFileSystem fs, string path, VhdOpenOptions options)
    {
        using var imageLock = ImageLock.Acquire(fs, path, ImageLockMode.ForceShare);
        return ImageMetadata.Load(imageLock.File, options.AcceptChecksumMismatch).Footer.UniqueId;
    }

    /// <summary>Loads the metadata again after this commit wrote some of it.</summary>
    public void Reload(VhdOpenOptions options) => Metadata = ImageMetadata.Load(File, options.AcceptChecksumMismatch);

    /// <summary>Writes <paramref name="footer"/> as the footer in force: the copy at offset 0 first (it wins while the two differ), then the end one; fsync.</summary>
    public void WriteFooter(VhdFooter footer)
    {
        var bytes = footer.ToArray();
        if (Metadata.Footer.DiskType != VhdDiskType.Fixed) File.WriteAt(0, bytes);
        File.WriteAt(Metadata.FooterOffset, bytes);
        File.Sync();
    }

    /// <summary>
    /// Writes <paramref name="header"/>, which differs from the one on disk only in its first
    /// sector (parent id, timestamp, checksum), as that one sector, so a crash leaves the old
    /// header or the new one, never a torn one; fsync.
    /// </summary>
    public void WriteHeaderFirstSector(DynamicHeader header)
    {
        long offset = (long)Metadata.Footer.DataOffset;
        if (offset % VhdConstants.SectorSize != 0)
            throw new VhdException($"{Path}: dynamic header at {offset} is not sector-aligned; its parent id cannot be rewritten safely");
        File.WriteAt(offset, header.ToArray().AsSpan(0, VhdConstants.SectorSize));
        File.Sync();
    }

    /// <summary>Puts back a read-only attribute this commit cleared.</summary>
    public void RestoreAttributes()
    {
        if (_clearedAttributes is { } original && _fs.File.Exists(Path)) SetAttributes(_fs, Path, original);
    }

    public void Dispose()
    {
        _lock?.Dispose();
        _lock = null;
    }

    private static void SetAttributes(IFileSystem fs, string path, FileAttributes attributes)
    {
        try { fs.File.SetAttributes(path, attributes); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VhdIOException($"{path}: cannot change the read-only attribute: {e.Message}", e);
        }
    }
}
