using System.Diagnostics;
using System.Text;

namespace Storage.Tests.VhdNbd.Infrastructure;

/// <summary>Runs the real clients (qemu-io, qemu-img, nbdinfo, nbdcopy, python3-libnbd) with a time limit.</summary>
public static class Cli
{
    /// <summary>Debian's python, which has python3-libnbd (a python on PATH may not).</summary>
    public const string Python = "/usr/bin/python3";

    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    public static CliResult Run(string file, params string[] args)
    {
        if (!System.IO.Path.IsPathRooted(file) && !OnPath(file))
            throw new Xunit.Sdk.XunitException($"{file} is not on PATH: `bash scripts/setup.sh` installs the NBD clients (qemu-utils, libnbd-bin, python3-libnbd)");
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        string command = file + " " + string.Join(' ', args.Select(a => a.Contains(' ') ? $"'{a}'" : a));
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(Limit))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{command}' did not finish within {Limit}");
        }
        return new CliResult(command, p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs and asserts exit code 0.</summary>
    public static CliResult Ok(string file, params string[] args)
    {
        var r = Run(file, args);
        Xunit.Assert.True(r.ExitCode == 0, r.ToString());
        return r;
    }

    public static bool OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => d.Length > 0 && File.Exists(System.IO.Path.Combine(d, name)));
}
