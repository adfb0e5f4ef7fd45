using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;

namespace Storage.VhdEngine.Disks;

/// <summary>
/// <c>fdatasync(2)</c> on a Linux descriptor: the data and the metadata needed to read it back
/// become durable, but not the timestamps, so an overwrite in place costs one device flush instead
/// of a journal commit for the inode's mtime (what qemu does for every flush). .NET has no API for
/// it (<see cref="RandomAccess.FlushToDisk"/> is <c>fsync</c>).
/// </summary>
[SupportedOSPlatform("linux")]
internal static class FileDataSync
{
    /// <summary>Makes the data written through <paramref name="handle"/> durable.</summary>
    /// <exception cref="IOException">fdatasync failed (the errno is the HResult).</exception>
    public static void Sync(SafeFileHandle handle)
    {
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (Call((int)handle.DangerousGetHandle()) == 0) return;
            int error = Marshal.GetLastPInvokeError();
            throw new IOException($"fdatasync failed: {Marshal.GetPInvokeErrorMessage(error)} (errno {error})", error);
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    // glibc's soname first (as NativeDirectory), then whatever "libc" resolves to (musl).
    private static int Call(int fd)
    {
        try { return GlibcFdatasync(fd); }
        catch (DllNotFoundException) { return LibcFdatasync(fd); }
    }

    [DllImport("libc.so.6", EntryPoint = "fdatasync", SetLastError = true)]
    private static extern int GlibcFdatasync(int fd);

    [DllImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static extern int LibcFdatasync(int fd);
}
