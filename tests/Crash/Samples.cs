using System.Collections.Concurrent;
using System.Diagnostics;

namespace Storage.Tests.Crash;

/// <summary>The real sample images of &lt;repo root&gt;/../shared/samples, decompressed with bzcat once per run.</summary>
internal static class Samples
{
    private static readonly ConcurrentDictionary<string, Lazy<byte[]>> Cache = new();

    public static string Directory
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Storage.sln"))) return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "samples"));
            throw new InvalidOperationException($"Storage.sln not found above {AppContext.BaseDirectory}");
        }
    }

    /// <summary>The bytes of sample <paramref name="name"/> (e.g. "virtualpc-dynamic.vhd").</summary>
    public static byte[] Bytes(string name) => Cache.GetOrAdd(name, n => new Lazy<byte[]>(() => Decompress(n))).Value;

    private static byte[] Decompress(string name)
    {
        string source = Path.Combine(Directory, name + ".bz2");
        if (!File.Exists(source)) throw new FileNotFoundException($"sample {source} not found (scripts/setup.sh installs bzip2; the samples live in ../shared/samples)", source);
        var psi = new ProcessStartInfo("bzcat") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(source);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start bzcat");
        var err = p.StandardError.ReadToEndAsync();
        var output = new MemoryStream();
        p.StandardOutput.BaseStream.CopyTo(output);
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"bzcat {source} failed ({p.ExitCode}): {err.Result}");
        return output.ToArray();
    }
}
