using System.Collections.Concurrent;
using System.Diagnostics;

namespace Storage.Tests.Engine.Support;

/// <summary>
/// The real sample images of /work/shared/samples (found as &lt;repo root&gt;/../shared/samples),
/// decompressed with <c>bzcat</c> into a temporary directory on first use, once per test run.
/// </summary>
public sealed class SamplesFixture
{
    private static readonly Lazy<string> Root = new(FindRepoRoot);
    private static readonly Lazy<string> Temp = new(() =>
    {
        string dir = Directory.CreateTempSubdirectory("engine-tests-samples-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        };
        return dir;
    });
    private static readonly ConcurrentDictionary<string, Lazy<string>> Decompressed = new();

    /// <summary>The directory holding Storage.sln.</summary>
    public static string RepoRoot => Root.Value;

    /// <summary>&lt;repo root&gt;/../shared/samples.</summary>
    public static string SamplesDir => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "samples"));

    /// <summary>The samples whose footers and headers carry correct checksums, by decompressed name.</summary>
    public static readonly string[] Vhds =
    [
        "virtualpc-dynamic.vhd", "hyperv2012r2-dynamic.vhd", "d2v-zerofilled.vhd", "ext2.vhd", "fat-differential.vhd",
    ];

    /// <summary>The dfvfs samples edited without fixing checksums (footers; and the child's header).</summary>
    public static readonly string[] BadChecksumVhds = ["image.vhd", "image-differential.vhd"];

    /// <summary>Full path of the decompressed sample <paramref name="name"/> (e.g. "image.vhd", "hostile/afl5.img").</summary>
    public string Get(string name) => Decompressed.GetOrAdd(name, n => new Lazy<string>(() => Decompress(n))).Value;

    /// <summary>The bytes of a sample.</summary>
    public byte[] Bytes(string name) => File.ReadAllBytes(Get(name));

    private static string Decompress(string name)
    {
        string source = Path.Combine(SamplesDir, name + ".bz2");
        if (!File.Exists(source)) throw new FileNotFoundException($"sample {source} not found", source);
        string target = Path.Combine(Temp.Value, name.Replace('/', '_'));
        var psi = new ProcessStartInfo("bzcat") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(source);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start bzcat");
        var err = p.StandardError.ReadToEndAsync();
        using (var output = File.Create(target + ".part"))
            p.StandardOutput.BaseStream.CopyTo(output);
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"bzcat {source} failed ({p.ExitCode}): {err.Result}");
        File.Move(target + ".part", target, overwrite: true);
        return target;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Storage.sln"))) return dir.FullName;
        throw new InvalidOperationException($"Storage.sln not found above {AppContext.BaseDirectory}");
    }
}
