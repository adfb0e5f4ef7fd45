using System.IO.Abstractions;
using Storage.VhdEngine.Disks;

namespace Storage.Tests.VhdNbd.Infrastructure;

/// <summary>Images for the tests, made with the engine before a server starts.</summary>
public static class Images
{
    public static readonly IFileSystem Fs = new FileSystem();

    /// <summary>A dynamic image with small blocks (so a few MiB hold several), optionally filled by <paramref name="fill"/>.</summary>
    public static string Dynamic(string path, long size = 8 << 20, int blockSize = 512 * 1024, Action<VirtualDisk>? fill = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var disk = VirtualDisk.Create(Fs, path, new VhdCreateOptions { Size = size, BlockSize = blockSize, ExactSize = true });
        fill?.Invoke(disk);
        disk.Flush();
        return path;
    }

    public static string Fixed(string path, long size = 4 << 20)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var disk = VirtualDisk.Create(Fs, path, new VhdCreateOptions { Size = size, Type = VhdDiskType.Fixed, ExactSize = true });
        return path;
    }

    /// <summary>Freezes <paramref name="parent"/> and makes a differencing child over it (the engine's snapshot).</summary>
    public static string Child(string parent, string child, Action<VirtualDisk>? fill = null)
    {
        using (var disk = Storage.VhdEngine.Maintenance.VhdMaintenance.Snapshot(Fs, parent, child, null))
        {
            fill?.Invoke(disk);
            disk.Flush();
        }
        return child;
    }

    /// <summary>The whole virtual disk as the engine reads it.</summary>
    public static byte[] Content(string path)
    {
        using var disk = VirtualDisk.Open(Fs, path);
        var bytes = new byte[disk.Length];
        disk.Read(0, bytes);
        return bytes;
    }

    public static byte[] Pattern(int length, int seed)
    {
        var b = new byte[length];
        new Random(seed).NextBytes(b);
        return b;
    }
}
