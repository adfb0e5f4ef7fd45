using System.IO.Abstractions;
using System.IO.Abstractions.TestingHelpers;
using Storage.VhdActors;
using Storage.VhdEngine.Disks;

namespace Storage.Tests.Actors;

/// <summary>Small helpers shared by the specs.</summary>
internal static class Fixtures
{
    public const string Dir = "/vhd";

    public static MockFileSystem NewFs()
    {
        var fs = new MockFileSystem();
        fs.Directory.CreateDirectory(Dir);
        return fs;
    }

    public static string P(string name) => $"{Dir}/{name}";

    /// <summary>A small dynamic image with small blocks, so tests allocate several.</summary>
    public static VhdCreateOptions Small(long size = 4 << 20) => new() { Size = size, BlockSize = 512 * 1024 };

    public static void CreateImage(IFileSystem fs, string path, long size = 4 << 20, Action<VirtualDisk>? fill = null)
    {
        using var disk = VirtualDisk.Create(fs, path, Small(size));
        fill?.Invoke(disk);
        disk.Flush();
    }

    public static VhdStorageOptions Options(IFileSystem fs, TimeSpan? idle = null) => new()
    {
        FileSystem = fs,
        IdleTimeout = idle,
        RequestTimeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>A store over a manager in <paramref name="system"/>.</summary>
    public static IDiskStore Start(Akka.Actor.ActorSystem system, VhdStorageOptions options) => DiskStore.Start(system, options);

    public static byte[] Bytes(int length, int seed)
    {
        var b = new byte[length];
        new Random(seed).NextBytes(b);
        return b;
    }

    /// <summary>HOCON for TestKit systems: quiet logs, the library's defaults below.</summary>
    public static string Hocon => """
        akka.loglevel = WARNING
        akka.stdout-loglevel = WARNING
        akka.log-dead-letters = off
        """;
}
