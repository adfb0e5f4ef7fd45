using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Storage.Tests.Cluster;

/// <summary>One `vhd serve --cluster` process (the tool's JIT build next to the tests): started, its listening line read, signalled or killed.</summary>
internal sealed partial class ClusterServeProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    private ClusterServeProcess(Process process, string name, int nodePort)
    {
        _process = process;
        Name = name;
        NodePort = nodePort;
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_stderr) _stderr.AppendLine(e.Data);
        };
        process.BeginErrorReadLine();
    }

    public string Name { get; }

    public int NodePort { get; }

    public int NbdPort { get; private set; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Stderr
    {
        get { lock (_stderr) return _stderr.ToString(); }
    }

    /// <summary>Starts a node serving <paramref name="dir"/>, joining the seed node at <paramref name="seedPort"/> (itself when null), once <paramref name="members"/> have joined; <see cref="AwaitListening"/> next.</summary>
    public static ClusterServeProcess Start(string name, string dir, int nodePort, int? seedPort, int members)
    {
        string exe = Path.Combine(AppContext.BaseDirectory, "vhd");
        if (!File.Exists(exe)) throw new FileNotFoundException($"the vhd tool was not built next to the tests: {exe}");
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in (string[])["serve", dir, "--listen", "127.0.0.1:0", "--cluster", "--node", $"127.0.0.1:{nodePort}", "--stable-after", "2", "--min-members", $"{members}"]) psi.ArgumentList.Add(a);
        if (seedPort is { } seed)
        {
            psi.ArgumentList.Add("--seeds");
            psi.ArgumentList.Add($"127.0.0.1:{seed}");
        }
        return new ClusterServeProcess(Process.Start(psi) ?? throw new InvalidOperationException("vhd did not start"), name, nodePort);
    }

    /// <summary>Waits for the listening line (the node is an Up member then) and learns the NBD port.</summary>
    public void AwaitListening()
    {
        var line = _process.StandardOutput.ReadLineAsync();
        if (!line.Wait(TimeSpan.FromSeconds(60)) || line.Result is null || ListeningLine().Match(line.Result) is not { Success: true } match)
            throw new InvalidOperationException($"{Name}: no listening line ({(line.IsCompleted ? line.Result : "none")}); stderr: {Stderr}");
        NbdPort = int.Parse(match.Groups[1].Value);
    }

    /// <summary>SIGTERM, and the wait for a clean exit: returns the exit code.</summary>
    public int Terminate()
    {
        using (var kill = Process.Start("kill", ["-TERM", Pid.ToString()])) kill.WaitForExit();
        if (!_process.WaitForExit(TimeSpan.FromSeconds(60))) throw new TimeoutException($"{Name} did not exit after SIGTERM; stderr: {Stderr}");
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: no flush, no close, no leave; the kernel drops its locks.</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    /// <summary>
    /// The inodes of the images this process holds for writing (from /proc/PID/fdinfo): the engine's
    /// lock, like qemu's, is a shared OFD lock on byte 101 (100 + the write permission) of the file.
    /// </summary>
    public HashSet<long> WriteLockedInodes()
    {
        var inodes = new HashSet<long>();
        try
        {
            foreach (string info in Directory.EnumerateFiles($"/proc/{Pid}/fdinfo"))
            {
                string text;
                try { text = File.ReadAllText(info); }
                catch (IOException) { continue; }
                foreach (Match m in OfdLock().Matches(text))
                    if (long.Parse(m.Groups[2].Value) <= WriteByte && (m.Groups[3].Value == "EOF" || long.Parse(m.Groups[3].Value) >= WriteByte))
                        inodes.Add(long.Parse(m.Groups[1].Value));
            }
        }
        catch (DirectoryNotFoundException)
        {
            // The process is gone: it holds nothing.
        }
        return inodes;
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [GeneratedRegex(@"^vhd serve: listening on nbd://127\.0\.0\.1:(\d+)/ \(\d+ exports\)$")]
    private static partial Regex ListeningLine();

    private const long WriteByte = 101;

    // e.g. "lock:	2: OFDLCK ADVISORY  READ -1 fe:00:11681943 100 101"
    [GeneratedRegex(@"lock:\s+\d+: OFDLCK\s+\w+\s+\w+\s+-?\d+\s+[0-9a-f]+:[0-9a-f]+:(\d+)\s+(\d+)\s+(\d+|EOF)")]
    private static partial Regex OfdLock();
}
