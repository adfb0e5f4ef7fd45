using System.Diagnostics;

namespace Storage.Tests.Tool;

/// <summary>The shared sample images (../shared/samples from the repository root), decompressed with bzcat.</summary>
public static class Sample
{
    /// <summary>The repository root: the first folder above the test binaries that holds Storage.sln.</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Storage.sln"))) return dir.FullName;
            throw new InvalidOperationException($"no Storage.sln above {AppContext.BaseDirectory}");
        }
    }

    /// <summary>Writes the decompressed sample <paramref name="name"/> (without .bz2) to <paramref name="target"/>.</summary>
    public static void Decompress(string name, string target)
    {
        string source = Path.Combine(RepositoryRoot, "..", "shared", "samples", name + ".bz2");
        var psi = new ProcessStartInfo("bzcat") { RedirectStandardOutput = true, UseShellExecute = false, ArgumentList = { source } };
        using var p = Process.Start(psi)!;
        using (var file = File.Create(target)) p.StandardOutput.BaseStream.CopyTo(file);
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"bzcat {source} exited {p.ExitCode}");
    }
}
