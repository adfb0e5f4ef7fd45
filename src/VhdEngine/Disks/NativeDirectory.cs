using System.Runtime.InteropServices;

namespace Storage.VhdEngine.Disks;

/// <summary>
/// The operating system's directory fsync: <c>open(dir, O_RDONLY|O_DIRECTORY|O_CLOEXEC)</c>, <c>fsync</c>,
/// <c>close</c>, on Linux and macOS. .NET has no API for it (a FileStream cannot open a directory).
/// Elsewhere it does nothing: Windows journals metadata changes and offers no directory flush through a
/// path (SQLite syncs directories on Unix only, too).
/// </summary>
/// <remarks>
/// As PostgreSQL's <c>fsync_fname</c> does, a directory that cannot be opened for lack of permission
/// (EACCES) or a file system that does not support fsync on directories (EINVAL, EBADF) is not an error:
/// there is nothing more this process can do for durability there.
/// </remarks>
internal static class NativeDirectory
{
    private const int ENOENT = 2;
    private const int EBADF = 9;
    private const int EACCES = 13;
    private const int ENOTDIR = 20;
    private const int EINVAL = 22;

    /// <summary>Fsyncs <paramref name="directory"/> where the platform has a way.</summary>
    /// <exception cref="IOException">open or fsync failed for another reason than the ones above.</exception>
    public static void Fsync(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        int fd = Open(directory, Flags());
        if (fd < 0)
        {
            int error = Marshal.GetLastPInvokeError();
            // ENOENT, ENOTDIR: not a directory of this machine (a file system that only behaves like the OS's).
            if (error is EACCES or ENOENT or ENOTDIR) return;
            throw Failure("open", directory, error);
        }

        try
        {
            if (Sync(fd) != 0)
            {
                int error = Marshal.GetLastPInvokeError();
                if (error is EINVAL or EBADF) return;
                throw Failure("fsync", directory, error);
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    private static int Flags()
    {
        if (OperatingSystem.IsMacOS()) return 0x100000 | 0x1000000; // O_DIRECTORY | O_CLOEXEC
        // O_DIRECTORY differs by architecture on Linux (asm-generic 0200000, arm/arm64/powerpc 040000).
        int directory = RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64 or Architecture.Armv6 or Architecture.Ppc64le ? 0x4000 : 0x10000;
        return directory | 0x80000; // O_CLOEXEC
    }

    private static IOException Failure(string call, string directory, int error) =>
        new($"{call} of the directory '{directory}' failed: {Marshal.GetPInvokeErrorMessage(error)} (errno {error})", error);

    // glibc's soname first (the unversioned libc.so exists only with the development files), then whatever "libc" resolves to (musl, macOS).
    private static int Open(string path, int flags)
    {
        if (OperatingSystem.IsLinux())
        {
            try { return GlibcOpen(path, flags); }
            catch (DllNotFoundException) { }
        }

        return LibcOpen(path, flags);
    }

    private static int Sync(int fd)
    {
        if (OperatingSystem.IsLinux())
        {
            try { return GlibcFsync(fd); }
            catch (DllNotFoundException) { }
        }

        return LibcFsync(fd);
    }

    private static int Close(int fd)
    {
        if (OperatingSystem.IsLinux())
        {
            try { return GlibcClose(fd); }
            catch (DllNotFoundException) { }
        }

        return LibcClose(fd);
    }

    [DllImport("libc.so.6", EntryPoint = "open", SetLastError = true)]
    private static extern int GlibcOpen([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc.so.6", EntryPoint = "fsync", SetLastError = true)]
    private static extern int GlibcFsync(int fd);

    [DllImport("libc.so.6", EntryPoint = "close", SetLastError = true)]
    private static extern int GlibcClose(int fd);

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int LibcOpen([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int LibcFsync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int LibcClose(int fd);
}
