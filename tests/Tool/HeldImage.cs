using System.Diagnostics;

namespace Storage.Tests.Tool;

/// <summary>
/// Another process holding an image: `vhd write IMAGE --offset N` (or qemu-io) with its stdin kept
/// open, so it has the image open and locked until the test closes stdin or kills it.
/// </summary>
internal sealed class HeldImage : IDisposable
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly Task<string> _stderr;

    private HeldImage(ProcessStartInfo start, string image)
    {
        Image = image;
        _process = Process.Start(start)!;
        _stderr = _process.StandardError.ReadToEndAsync();
        _ = _process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
    }

    public string Image { get; }

    public int Pid => _process.Id;

    /// <summary>`vhd write` holding <paramref name="image"/> for writing.</summary>
    public static HeldImage VhdWriter(string image, long offset) => Held(Vhd.StartInfo("write", image, "--offset", offset.ToString()), image);

    /// <summary>qemu-io holding <paramref name="image"/>, for writing or (<paramref name="readOnly"/>) reading.</summary>
    public static HeldImage QemuIo(string image, bool readOnly)
    {
        var start = new ProcessStartInfo("qemu-io") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (readOnly) start.ArgumentList.Add("-r");
        foreach (string a in (string[])["-f", "vpc", image]) start.ArgumentList.Add(a);
        return Held(start, image);
    }

    private static HeldImage Held(ProcessStartInfo start, string image)
    {
        var held = new HeldImage(start, image);
        held.WaitUntilHeld();
        return held;
    }

    /// <summary>
    /// Polls until the process holds OFD locks on the image (its /proc fdinfo says so): looking does
    /// not take a lock, so it cannot disturb the other process's open.
    /// </summary>
    private void WaitUntilHeld()
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Guard)
        {
            if (_process.HasExited) throw new InvalidOperationException($"the holder exited ({_process.ExitCode}) before holding {Image}: {_stderr.Result}");
            if (HoldsLocks()) return;
            Thread.Sleep(10);
        }
        throw new TimeoutException($"{Image} was not held within {Guard}");
    }

    private bool HoldsLocks()
    {
        try
        {
            foreach (string fd in Directory.EnumerateFileSystemEntries($"/proc/{Pid}/fd"))
            {
                if (new FileInfo(fd).LinkTarget != Image) continue;
                if (File.ReadLines($"/proc/{Pid}/fdinfo/{Path.GetFileName(fd)}").Any(l => l.StartsWith("lock:", StringComparison.Ordinal) && l.Contains("OFDLCK", StringComparison.Ordinal)))
                    return true;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The process is starting or ending: look again.
        }
        return false;
    }

    /// <summary>Feeds <paramref name="input"/>, closes stdin and waits: the holder finishes normally. Returns (exit code, stderr).</summary>
    public (int Code, string Err) Finish(byte[] input)
    {
        _process.StandardInput.BaseStream.Write(input);
        _process.StandardInput.Close();
        if (!_process.WaitForExit(Guard)) throw new TimeoutException("the holder did not finish");
        return (_process.ExitCode, _stderr.Result);
    }

    /// <summary>SIGKILL, and waits until the process is gone (reaped).</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited) Kill();
        _process.Dispose();
    }
}
