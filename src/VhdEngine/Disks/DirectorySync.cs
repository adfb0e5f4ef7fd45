using System.IO.Abstractions;

namespace Storage.VhdEngine.Disks;

/// <summary>
/// Makes a directory's entries durable: the creates, renames and deletes in it survive a crash
/// only once the directory itself is fsynced (POSIX; ext4, XFS and btrfs may otherwise lose them).
/// Create (the rename of <c>IMAGE.creating</c> into place) and commit (the child removed last) need
/// it before they return (DESIGN.md §4-§5; README "Durable names").
/// </summary>
/// <remarks>
/// <see cref="IFileSystem"/> has no directory fsync, so this uses the POSIX idiom through it: open the
/// directory as a stream for reading and <c>Flush(true)</c> it. A file system that simulates crashes
/// (the fault-injecting one) models exactly that; MockFileSystem accepts it and has nothing to persist.
/// The BCL's FileStream refuses to open a directory (<see cref="UnauthorizedAccessException"/>): that is
/// how a file system backed by the operating system answers, and then the directory is fsynced natively
/// (<see cref="NativeDirectory"/>).
/// </remarks>
internal static class DirectorySync
{
    /// <summary>Fsyncs the directory holding <paramref name="path"/>.</summary>
    /// <exception cref="IOException">The fsync (or opening the directory) failed.</exception>
    public static void FlushParent(IFileSystem fs, string path)
    {
        if (fs.Path.GetDirectoryName(fs.Path.GetFullPath(path)) is { Length: > 0 } directory)
            Flush(fs, directory);
    }

    /// <summary>Fsyncs <paramref name="directory"/>.</summary>
    /// <exception cref="IOException">The fsync (or opening the directory) failed.</exception>
    public static void Flush(IFileSystem fs, string directory)
    {
        FileSystemStream handle;
        try
        {
            handle = fs.FileStream.New(directory, FileMode.Open, FileAccess.Read);
        }
        catch (UnauthorizedAccessException)
        {
            NativeDirectory.Fsync(directory);
            return;
        }

        using (handle) handle.Flush(flushToDisk: true);
    }
}
