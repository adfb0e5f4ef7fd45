using System.IO.Abstractions;
using System.Security.Cryptography;
using Storage.VhdEngine.Disks;

namespace Storage.Tests.Interop.Infrastructure;

/// <summary>Paths of the repository and the shared samples.</summary>
public static class Repo
{
    private static readonly Lazy<string> RootLazy = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Storage.sln"))) return dir.FullName;
        throw new InvalidOperationException($"Storage.sln not found above {AppContext.BaseDirectory}");
    });

    public static string Root => RootLazy.Value;

    public static string SamplesDir => Path.GetFullPath(Path.Combine(Root, "..", "shared", "samples"));

    public static string Sample(string name)
    {
        string p = Path.Combine(SamplesDir, name);
        if (!File.Exists(p)) throw new FileNotFoundException($"sample {p} is missing", p);
        return p;
    }
}

/// <summary>A per-test temporary directory, deleted on dispose.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir(string label = "interop")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"vhd-{label}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>The real file system, a fresh instance (parents are shared per instance).</summary>
    public IFileSystem Fs { get; } = new FileSystem();

    public string this[string name] => System.IO.Path.Combine(Path, name);

    /// <summary>Decompresses a sample (e.g. "ext2.vhd.bz2") into this directory; returns its path.</summary>
    public string Unpack(string sampleBz2, string? as_ = null)
    {
        string dest = this[as_ ?? System.IO.Path.GetFileNameWithoutExtension(sampleBz2)];
        Tools.Bunzip(Repo.Sample(sampleBz2), dest);
        return dest;
    }

    /// <summary>Set VHD_INTEROP_KEEP=1 to keep the directories of a run for debugging.</summary>
    public void Dispose()
    {
        if (Environment.GetEnvironmentVariable("VHD_INTEROP_KEEP") == "1") return;
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

public static class Bytes
{
    public static string Sha256File(string path)
    {
        using var s = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(s));
    }

    /// <summary>sha256 of the whole virtual disk as our engine reads it.</summary>
    public static string Sha256Disk(VirtualDisk disk, int chunk = 4 << 20)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buf = new byte[chunk];
        for (long off = 0; off < disk.Length; off += chunk)
        {
            int n = (int)Math.Min(chunk, disk.Length - off);
            disk.Read(off, buf.AsSpan(0, n));
            h.AppendData(buf, 0, n);
        }
        return Convert.ToHexStringLower(h.GetHashAndReset());
    }

    public static byte[] ReadDisk(VirtualDisk disk, long offset, int length)
    {
        var b = new byte[length];
        disk.Read(offset, b);
        return b;
    }

    public static byte[] ReadFile(string path, long offset, int length)
    {
        var b = new byte[length];
        using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None);
        s.Position = offset;
        s.ReadExactly(b);
        return b;
    }

    /// <summary>Offset of the first byte where the two differ, or -1.</summary>
    public static long FirstDifference(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        int n = Math.Min(a.Length, b.Length);
        int i = a[..n].CommonPrefixLength(b[..n]);
        return i < n ? i : a.Length == b.Length ? -1 : n;
    }

    /// <summary>
    /// Compares the range [offset, offset+length) of <paramref name="disk"/> with the same range of
    /// the raw file, chunk by chunk; returns null when equal, otherwise a description.
    /// </summary>
    public static string? CompareWithRaw(VirtualDisk disk, string raw, long offset, long length, int chunk = 8 << 20)
    {
        var a = new byte[chunk];
        var b = new byte[chunk];
        using var s = new FileStream(raw, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
        for (long done = 0; done < length; done += chunk)
        {
            int n = (int)Math.Min(chunk, length - done);
            disk.Read(offset + done, a.AsSpan(0, n));
            s.Position = offset + done;
            s.ReadExactly(b.AsSpan(0, n));
            long d = FirstDifference(a.AsSpan(0, n), b.AsSpan(0, n));
            if (d >= 0)
            {
                long at = offset + done + d;
                return $"first difference at byte {at} (sector {at / 512}): ours 0x{a[d]:x2}, raw 0x{b[d]:x2}; " +
                       $"chunk sha256 ours {Convert.ToHexStringLower(SHA256.HashData(a.AsSpan(0, n)))} raw {Convert.ToHexStringLower(SHA256.HashData(b.AsSpan(0, n)))}";
            }
        }
        return null;
    }

    public static bool AllZero(ReadOnlySpan<byte> b) => !b.ContainsAnyExcept((byte)0);
}
