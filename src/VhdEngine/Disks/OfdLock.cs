using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;

namespace Storage.VhdEngine.Disks;

/// <summary>
/// Linux open-file-description byte-range locks in qemu's layout (block/file-posix.c), so an
/// image locked here is locked for qemu-img, qemu-io and qemu-nbd too, and the other way round.
/// A permission p (0 consistent read, 1 write, 3 resize) held is a shared lock on byte 100+p; a
/// permission not shared with others is a shared lock on byte 200+p. An open applies its bytes,
/// then tests the bytes it conflicts with (200+p for what it holds, 100+p for what it does not
/// share) for anyone else's lock: two racing writers may both be refused, never both admitted.
/// OFD locks belong to the open file description, so two opens in one process conflict like two
/// processes, and they vanish when the process dies (no stale lock files).
/// </summary>
[SupportedOSPlatform("linux")]
internal static partial class OfdLock
{
    private const int PermBase = 100;
    private const int SharedBase = 200;
    private const int ConsistentRead = 0;
    private const int Write = 1;
    private const int Resize = 3;

    private const int FOfdGetLk = 36;
    private const int FOfdSetLk = 37;
    private const short FRdLck = 0;
    private const short FWrLck = 1;
    private const short FUnLck = 2;
    private const int EAgain = 11;
    private const int EAcces = 13;

    [StructLayout(LayoutKind.Sequential)]
    private struct Flock
    {
        public short Type;
        public short Whence;
        public long Start;
        public long Length;
        public int Pid;
    }

#pragma warning disable SYSLIB1054 // a blittable struct by reference: no marshalling to generate
    [DllImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static extern int Fcntl(int fd, int command, ref Flock flock);
#pragma warning restore SYSLIB1054

    /// <summary>What an open holds and what it does not share (qemu's perm / shared_perm).</summary>
    private static (int[] Held, int[] NotShared) Permissions(ImageLockMode mode) => mode switch
    {
        ImageLockMode.Exclusive => ([ConsistentRead, Write, Resize], [Write, Resize]),
        ImageLockMode.Shared => ([ConsistentRead], [Write, Resize]),
        _ => ([ConsistentRead], []),
    };

    /// <summary>
    /// Takes the locks of <paramref name="mode"/> on <paramref name="handle"/>. Returns null when
    /// granted; otherwise the byte whose lock conflicts (the caller closes the file, which drops
    /// what was applied). Returns null without locking on a file system without OFD locks.
    /// </summary>
    public static int? Acquire(SafeFileHandle handle, ImageLockMode mode)
    {
        var (held, notShared) = Permissions(mode);
        foreach (int p in held)
            if (Set(handle, PermBase + p, FRdLck) is { } refused) return refused;
        foreach (int p in notShared)
            if (Set(handle, SharedBase + p, FRdLck) is { } refused) return refused;
        foreach (int p in held)
            if (Conflicts(handle, SharedBase + p)) return SharedBase + p;
        foreach (int p in notShared)
            if (Conflicts(handle, PermBase + p)) return PermBase + p;
        return null;
    }

    /// <summary>Exclusive to shared: drops the write and resize permissions, keeps refusing writers.</summary>
    public static void Downgrade(SafeFileHandle handle)
    {
        Set(handle, PermBase + Write, FUnLck);
        Set(handle, PermBase + Resize, FUnLck);
    }

    /// <summary>True if someone else holds the write permission (a writer has the image open).</summary>
    public static bool WriterPresent(SafeFileHandle handle) => Conflicts(handle, PermBase + Write);

    /// <summary>Applies (or removes) a one-byte lock; the byte on refusal, null on success or when OFD locks are unsupported.</summary>
    private static int? Set(SafeFileHandle handle, int offset, short type)
    {
        var flock = new Flock { Type = type, Whence = 0, Start = offset, Length = 1 };
        int result = Call(handle, FOfdSetLk, ref flock, out int errno);
        if (result == 0) return null;
        return errno is EAgain or EAcces ? offset : null;
    }

    /// <summary>True when another open file description holds a lock on <paramref name="offset"/>.</summary>
    private static bool Conflicts(SafeFileHandle handle, int offset)
    {
        var flock = new Flock { Type = FWrLck, Whence = 0, Start = offset, Length = 1 };
        return Call(handle, FOfdGetLk, ref flock, out _) == 0 && flock.Type != FUnLck;
    }

    private static int Call(SafeFileHandle handle, int command, ref Flock flock, out int errno)
    {
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            int result = Fcntl((int)handle.DangerousGetHandle(), command, ref flock);
            errno = result == 0 ? 0 : Marshal.GetLastPInvokeError();
            return result;
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }
}
