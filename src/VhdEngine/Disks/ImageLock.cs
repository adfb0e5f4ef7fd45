using System.IO.Abstractions;
using Microsoft.Win32.SafeHandles;

namespace Storage.VhdEngine.Disks;

/// <summary>
/// The ownership lock of one open image file (DESIGN.md §10), and the file handle it lives on:
/// the image's <see cref="BlockFile"/> is this lock's handle, so the lock lasts exactly as long as
/// the file is open. Two mechanisms, both through <see cref="IFileSystem"/>:
/// <list type="bullet">
/// <item>the open's <see cref="FileShare"/> (writer: read-write sharing read; reader: read sharing
/// read; force-share reader: read sharing read-write), which Windows, MockFileSystem and the
/// FaultFileSystem enforce between handles and streams, in one process or several;</item>
/// <item>on Linux, for a file of the real file system (a kernel descriptor: the FaultFileSystem's
/// handles are stand-ins, MockFileSystem's files streams), qemu-compatible OFD byte-range locks on
/// the same descriptor (<see cref="OfdLock"/>), because .NET maps every share mode but None to a
/// shared flock there, which excludes nobody.</item>
/// </list>
/// Refusals are <see cref="VhdImageInUseException"/>s naming the holder where the platform tells.
/// </summary>
internal sealed class ImageLock : IDisposable
{
    private SafeFileHandle? _os;
    private int _disposed;

    private ImageLock(IFileSystem fs, string path, ImageLockMode mode, BlockFile file, SafeFileHandle? os)
    {
        FileSystem = fs;
        Path = path;
        Mode = mode;
        File = file;
        _os = os;
    }

    /// <summary>The file system the image lives on.</summary>
    public IFileSystem FileSystem { get; }

    /// <summary>Full path of the image.</summary>
    public string Path { get; }

    /// <summary>What is held now.</summary>
    public ImageLockMode Mode { get; private set; }

    /// <summary>The open image file (owned by this lock).</summary>
    public BlockFile File { get; }

    /// <summary>Set when a force-share open found a writer holding the image.</summary>
    public string? Warning { get; private init; }

    /// <summary>Opens <paramref name="path"/> (a full path) and locks it as <paramref name="mode"/> says; refused at once, never waits.</summary>
    /// <exception cref="VhdImageInUseException">Another open holds a conflicting lock.</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="VhdIOException">The file cannot be opened.</exception>
    public static ImageLock Acquire(IFileSystem fs, string path, ImageLockMode mode)
    {
        var file = OpenFile(fs, path, mode);
        SafeFileHandle? os = file.Descriptor;
        string? warning = null;
        try
        {
            if (os is not null && OperatingSystem.IsLinux())
            {
                if (OfdLock.Acquire(os, mode) is not null)
                    throw new VhdImageInUseException(path, mode == ImageLockMode.Exclusive, LockHolders.Describe(fs, path, mode, os));
                if (mode == ImageLockMode.ForceShare && OfdLock.WriterPresent(os))
                    warning = WriterWarning(LockHolders.Describe(fs, path, ImageLockMode.Shared, os));
            }
            else if (mode == ImageLockMode.ForceShare && LockHolders.Describe(fs, path, ImageLockMode.Shared, null) is { } holder)
            {
                warning = WriterWarning(holder);
            }
        }
        catch
        {
            file.Dispose();
            throw;
        }
        var imageLock = new ImageLock(fs, path, mode, file, os) { Warning = warning };
        LockHolders.Add(imageLock);
        file.Closed = () => LockHolders.Remove(imageLock);
        return imageLock;
    }

    /// <summary>
    /// Exclusive to shared, without a moment in which another writer could take the image: on
    /// Linux the write permission's bytes are dropped in place; where share modes are the lock,
    /// the handle is reopened through one that shares everything (a writer can only slip in if
    /// the file is writable: callers freezing an image mark it read-only first).
    /// </summary>
    /// <exception cref="VhdImageInUseException">A writer took the image while the handle was reopened.</exception>
    public void Downgrade()
    {
        if (Mode != ImageLockMode.Exclusive) return;
        File.CanWrite = false;
        if (_os is not null && OperatingSystem.IsLinux())
        {
            OfdLock.Downgrade(_os);
            Mode = ImageLockMode.Shared;
            return;
        }
        File.Swap(OpenFile(FileSystem, Path, ImageLockMode.ForceShare));
        _os = null;
        Mode = ImageLockMode.ForceShare;
        File.Swap(OpenFile(FileSystem, Path, ImageLockMode.Shared));
        Mode = ImageLockMode.Shared;
    }

    /// <summary>Closes the file, which releases every lock on it.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        File.Dispose();
    }

    private static string WriterWarning(string? holder) =>
        $"opened with ForceShare while the image is open for writing ({holder ?? "by another process"}): the data may change while it is read";

    private static BlockFile OpenFile(IFileSystem fs, string path, ImageLockMode mode)
    {
        var (access, share) = mode switch
        {
            ImageLockMode.Exclusive => (FileAccess.ReadWrite, FileShare.Read),
            ImageLockMode.Shared => (FileAccess.Read, FileShare.Read),
            _ => (FileAccess.Read, FileShare.ReadWrite),
        };
        try
        {
            return BlockFile.OpenRaw(fs, path, FileMode.Open, access, share);
        }
        catch (IOException e) when (IsSharingViolation(e))
        {
            throw new VhdImageInUseException(path, mode == ImageLockMode.Exclusive, LockHolders.Describe(fs, path, mode, null), e);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw VirtualDisk.Missing(path, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new VhdIOException($"{path}: cannot open: {e.Message}", e, diskUsable: false);
        }
    }

    /// <summary>
    /// A share-mode refusal: ERROR_SHARING_VIOLATION / ERROR_LOCK_VIOLATION (Windows, MockFileSystem,
    /// FaultFileSystem), or EWOULDBLOCK from the flock .NET takes on Unix (a LOCK_EX holder).
    /// </summary>
    private static bool IsSharingViolation(IOException e) =>
        e.HResult is unchecked((int)0x80070020) or unchecked((int)0x80070021) or 0x20 or 0x21
        || (!OperatingSystem.IsWindows() && e.HResult == 11);
}
