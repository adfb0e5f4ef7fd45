using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Storage.Tests.VhdNbd.Infrastructure;

/// <summary>`vhd serve` as a separate process: started, its one stdout line read, signalled, awaited.</summary>
public sealed partial class ServeProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _rest;
    private readonly Task<string> _stderr;

    private ServeProcess(Process process, string firstLine)
    {
        _process = process;
        FirstLine = firstLine;
        _rest = process.StandardOutput.ReadToEndAsync();
        _stderr = process.StandardError.ReadToEndAsync();
        var match = ListeningLine().Match(firstLine);
        if (!match.Success) throw new InvalidOperationException($"unexpected first line: '{firstLine}'");
        Port = int.Parse(match.Groups[1].Value);
        Exports = int.Parse(match.Groups[2].Value);
    }

    public string FirstLine { get; }

    public int Port { get; }

    public int Exports { get; }

    public string Uri(string export) => $"nbd://127.0.0.1:{Port}/{export}";

    public static ServeProcess Start(params string[] args)
    {
        // Through env(1) with SIGINT at its default, as a terminal's Ctrl-C finds it: a test run started
        // in the background (nohup, `cmd &`) has SIGINT ignored, the child inherits that, and .NET then
        // leaves it ignored (as every Unix program does), so no Ctrl-C would ever reach the tool.
        var psi = new ProcessStartInfo("/usr/bin/env") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("--default-signal=INT");
        psi.ArgumentList.Add(VhdExe.Host);
        psi.ArgumentList.Add("serve");
        foreach (var a in args) psi.ArgumentList.Add(a);
        var process = Process.Start(psi) ?? throw new InvalidOperationException("vhd did not start");
        var line = process.StandardOutput.ReadLineAsync();
        if (!line.Wait(TimeSpan.FromMinutes(1)) || line.Result is null)
        {
            process.Kill();
            throw new InvalidOperationException($"vhd serve printed no line; stderr: {process.StandardError.ReadToEnd()}");
        }
        return new ServeProcess(process, line.Result);
    }

    /// <summary>Sends the signal (TERM, INT) and waits for the exit; returns the exit code, the rest of stdout, and stderr.</summary>
    public (int ExitCode, string Out, string Err) Stop(string signal)
    {
        Cli.Ok("kill", $"-{signal}", _process.Id.ToString());
        if (!_process.WaitForExit(TimeSpan.FromMinutes(1)))
        {
            // What it logged tells where the stop hung (connections still busy, an image not closing).
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
            throw new TimeoutException($"vhd serve did not exit within a minute of SIG{signal}; its stderr: {_stderr.Result}");
        }
        return (_process.ExitCode, _rest.Result, _stderr.Result);
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    [GeneratedRegex(@"^vhd serve: listening on nbd://127\.0\.0\.1:(\d+)/ \((\d+) exports\)$")]
    private static partial Regex ListeningLine();
}
