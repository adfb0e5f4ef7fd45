using System.Diagnostics;
using Xunit;

namespace Storage.Tests.Tool;

/// <summary>Runs a command of the package tests (dotnet pack/build/run, an installed tool) with its own NuGet cache; a failure fails the test with the output.</summary>
internal static class PackageCli
{
    /// <summary>The configuration these tests were built in, which `dotnet pack --no-build` packs.</summary>
    public static string Configuration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";

    public static string Run(string nugetCache, string? workingDirectory, string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null) psi.WorkingDirectory = workingDirectory;
        foreach (string a in args) psi.ArgumentList.Add(a);
        psi.Environment["NUGET_PACKAGES"] = nugetCache;
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(300_000), $"{file} {string.Join(' ', args)} did not finish");
        Assert.True(p.ExitCode == 0, $"{file} {string.Join(' ', args)} exited {p.ExitCode}\n{output}\n{err.Result}");
        return output;
    }
}
