using System.IO.Abstractions;
using Storage.VhdEngine.Disks;

namespace Storage.Benchmarks;

/// <summary>Scratch images for the benchmarks, in a directory of their own under the temp directory.</summary>
public sealed class BenchImages : IDisposable
{
    /// <summary>The real file system: the benchmarks measure real file I/O (page cache).</summary>
    public static readonly IFileSystem Fs = new FileSystem();

    /// <summary>Creates the directory.</summary>
    public BenchImages()
    {
        string root = Environment.GetEnvironmentVariable("BENCH_TMP") ?? Path.GetTempPath();
        Directory = Path.Combine(root, $"vhd-bdn-{Environment.ProcessId}-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(Directory);
    }

    /// <summary>The scratch directory.</summary>
    public string Directory { get; }

    /// <summary>A path in the scratch directory.</summary>
    public string this[string name] => Path.Combine(Directory, name);

    /// <summary>Creates a dynamic image of <paramref name="size"/> bytes with every block allocated (filled with non-zero bytes).</summary>
    public string Allocated(string name, long size)
    {
        string path = this[name];
        using var disk = VirtualDisk.Create(Fs, path, new VhdCreateOptions { Type = VhdDiskType.Dynamic, Size = size, ExactSize = true });
        var chunk = new byte[disk.BlockSize];
        new Random(7).NextBytes(chunk);
        for (long offset = 0; offset < disk.Length; offset += chunk.Length)
            disk.Write(offset, chunk.AsSpan(0, (int)Math.Min(chunk.Length, disk.Length - offset)));
        disk.Flush();
        return path;
    }

    /// <summary>A raw file of random bytes.</summary>
    public string RandomRaw(string name, int size)
    {
        string path = this[name];
        var data = new byte[size];
        new Random(11).NextBytes(data);
        File.WriteAllBytes(path, data);
        return path;
    }

    /// <summary>Deletes the directory.</summary>
    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { /* best effort */ }
    }
}
