using System.Diagnostics;
using System.Text;

namespace Storage.Tests.Interop.Infrastructure;

/// <summary>The result of running an external helper.</summary>
public sealed record ToolResult(string Command, int ExitCode, string StdOut, string StdErr)
{
    /// <summary>Everything worth putting into an assertion message.</summary>
    public override string ToString() =>
        $"$ {Command}\nexit code {ExitCode}\n--- stdout ---\n{StdOut}\n--- stderr ---\n{StdErr}";
}

/// <summary>Runs qemu-img, qemu-io, vhdiinfo, bzcat and python with a timeout, capturing output.</summary>
public static class Tools
{
    /// <summary>The Debian python that has python3-libvhdi (the PATH one does not).</summary>
    public const string SystemPython = "/usr/bin/python3";

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(90);

    public static ToolResult Run(string file, IEnumerable<string> args, TimeSpan? timeout = null, string? workingDirectory = null, string? stdoutToFile = null)
    {
        var argList = args.ToList();
        if (!Path.IsPathRooted(file) && !OnPath(file))
            throw new Xunit.Sdk.XunitException($"{file} is not on PATH: `bash scripts/setup.sh` installs every tool the tests use (qemu-utils, libvhdi-utils, python3-libvhdi, libnbd-bin, python3-libnbd)");
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in argList) psi.ArgumentList.Add(a);
        string command = file + " " + string.Join(" ", argList.Select(Quote));
        using var p = new Process { StartInfo = psi };
        var stderr = new StringBuilder();
        var stdout = new StringBuilder();
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        if (stdoutToFile is null)
            p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        p.Start();
        p.StandardInput.Close();
        p.BeginErrorReadLine();
        Task copy = Task.CompletedTask;
        if (stdoutToFile is null) p.BeginOutputReadLine();
        else
        {
            copy = Task.Run(() =>
            {
                using var o = File.Create(stdoutToFile);
                p.StandardOutput.BaseStream.CopyTo(o);
            });
        }
        var limit = timeout ?? DefaultTimeout;
        if (!p.WaitForExit(limit))
        {
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            p.WaitForExit();
            throw new TimeoutException($"'{command}' did not finish within {limit}; stderr: {stderr}");
        }
        p.WaitForExit(); // drains the asynchronous readers
        copy.Wait();
        string so, se;
        lock (stdout) so = stdout.ToString();
        lock (stderr) se = stderr.ToString();
        return new ToolResult(command, p.ExitCode, so, se);
    }

    public static ToolResult Run(string file, params string[] args) => Run(file, (IEnumerable<string>)args);

    /// <summary>Runs and asserts exit code 0, returning the result.</summary>
    public static ToolResult RunOk(string file, params string[] args)
    {
        var r = Run(file, args);
        if (r.ExitCode != 0) throw new Xunit.Sdk.XunitException($"helper failed:\n{r}");
        return r;
    }

    public static ToolResult QemuImg(params string[] args) => Run("qemu-img", args);

    public static ToolResult QemuIo(params string[] args) => Run("qemu-io", args);

    /// <summary>Runs a python script with the system python (the one with pyvhdi).</summary>
    public static ToolResult Python(string script, params string[] args)
    {
        var all = new List<string> { "-c", script };
        all.AddRange(args);
        return Run(SystemPython, all);
    }

    /// <summary>Decompresses <paramref name="bz2"/> into <paramref name="destination"/> with bzcat.</summary>
    public static void Bunzip(string bz2, string destination)
    {
        var r = Run("bzcat", [bz2], TimeSpan.FromSeconds(120), stdoutToFile: destination);
        if (r.ExitCode != 0) throw new Xunit.Sdk.XunitException($"bzcat failed:\n{r}");
    }

    public static bool OnPath(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            try { if (File.Exists(Path.Combine(dir, name))) return true; }
            catch (ArgumentException) { }
        }
        return false;
    }

    private static string Quote(string a) => a.Length > 0 && a.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,+@".Contains(c)) ? a : "'" + a.Replace("'", "'\\''") + "'";
}
