using System.IO.Abstractions;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Xunit;

namespace Storage.Tests.Engine;

/// <summary>
/// The same rules on the real file system, where (on Linux) the lock is qemu's OFD byte-range
/// locks: they belong to each open, so two opens in one process conflict as two processes do.
/// (Two real processes: tests/Tool; qemu on the other side: tests/Interop.)
/// </summary>
public sealed class RealFileLockTests : IDisposable
{
    private readonly FileSystem _fs = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("vhd-locks-").FullName;

    public void Dispose()
    {
        foreach (string f in Directory.EnumerateFiles(_dir)) File.SetAttributes(f, FileAttributes.Normal);
        Directory.Delete(_dir, recursive: true);
    }

    private string Image(string name = "a.vhd")
    {
        string path = Path.Combine(_dir, name);
        using var d = VirtualDisk.Create(_fs, path, new VhdCreateOptions { Size = 4 << 20, BlockSize = 512 << 10 });
        d.Write(0, [1, 2, 3]);
        d.Flush();
        return path;
    }

    [Fact]
    public void Writers_readers_and_force_share_readers_follow_the_rule()
    {
        string a = Image();
        using (var writer = VirtualDisk.Open(_fs, a, FileAccess.ReadWrite))
        {
            var second = Assert.Throws<VhdImageInUseException>(() => VirtualDisk.Open(_fs, a, FileAccess.ReadWrite));
            Assert.Contains("held for writing by this process", second.Message, StringComparison.Ordinal);
            var reader = Assert.Throws<VhdImageInUseException>(() => VirtualDisk.Open(_fs, a));
            Assert.False(reader.ForWriting);
            using var shared = VirtualDisk.Open(_fs, a, FileAccess.Read, new VhdOpenOptions { ForceShare = true });
            var b = new byte[3];
            shared.Read(0, b);
            Assert.Equal(new byte[] { 1, 2, 3 }, b);
            Assert.Contains(shared.Warnings, w => w.Contains("open for writing", StringComparison.Ordinal));
        }
        using var r1 = VirtualDisk.Open(_fs, a);
        using var r2 = VirtualDisk.Open(_fs, a);
        Assert.Throws<VhdImageInUseException>(() => VirtualDisk.Open(_fs, a, FileAccess.ReadWrite));
    }

    [Fact]
    public void The_lock_is_qemus_byte_layout()
    {
        if (!OperatingSystem.IsLinux()) return; // OFD locks are Linux's; elsewhere the share mode is the lock
        string a = Image();
        using var writer = VirtualDisk.Open(_fs, a, FileAccess.ReadWrite);
        var locks = OurOfdLocks(a);
        // Held permissions consistent read, write, resize (100, 101, 103); write and resize not shared (201, 203).
        Assert.Equal(new long[] { 100, 101, 103, 201, 203 }, locks);
        var frozen = writer.ReopenReadOnly();
        Assert.Equal(new long[] { 100, 201, 203 }, OurOfdLocks(a));
        frozen.Dispose();
        Assert.Empty(OurOfdLocks(a));
    }

    [Fact]
    public void Downgrading_in_place_admits_readers_and_keeps_writers_out()
    {
        string a = Image();
        var writer = VirtualDisk.Open(_fs, a, FileAccess.ReadWrite);
        using var frozen = writer.ReopenReadOnly();
        using (VirtualDisk.Open(_fs, a)) { }
        Assert.Throws<VhdImageInUseException>(() => VirtualDisk.Open(_fs, a, FileAccess.ReadWrite));
    }

    /// <summary>The bytes this process holds OFD locks on for <paramref name="path"/>, from /proc/self/fdinfo.</summary>
    private static long[] OurOfdLocks(string path)
    {
        var bytes = new SortedSet<long>();
        foreach (string fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            if (new FileInfo(fd).LinkTarget != path) continue;
            foreach (string line in File.ReadLines($"/proc/self/fdinfo/{Path.GetFileName(fd)}"))
            {
                if (!line.StartsWith("lock:", StringComparison.Ordinal) || !line.Contains("OFDLCK", StringComparison.Ordinal)) continue;
                var parts = line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                for (long b = long.Parse(parts[^2]); b <= long.Parse(parts[^1]); b++) bytes.Add(b);
            }
        }
        return [.. bytes];
    }
}
