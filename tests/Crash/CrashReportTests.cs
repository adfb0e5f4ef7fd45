using System.Buffers.Binary;
using System.Diagnostics;
using Storage.CrashTesting;
using Storage.Samples.CrashTestYourWorkload;
using Storage.VhdTool;
using Xunit;
using Xunit.Abstractions;

namespace Storage.Tests.Crash;

/// <summary>
/// The HTML report (result.WriteHtml, vhd crashtest --html): one self-contained page with the timeline
/// and the sectors in hex, which Debian's headless Chromium renders (scripts/setup.sh installs it).
/// </summary>
public sealed class CrashReportTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("crash-report-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_failing_run_renders_as_one_self_contained_page_with_timeline_and_hex()
    {
        var naive = await LogCrashTest.RunAsync(naive: true);
        string path = Path.Combine(_dir, "naive.html");
        naive.WriteHtml(path);
        string page = await File.ReadAllTextAsync(path);

        AssertSelfContained(page);
        Assert.Contains("Timeline of this state", page, StringComparison.Ordinal);
        Assert.Contains("class=\"dropped\">dropped", page, StringComparison.Ordinal);
        Assert.Contains("class=\"landed\">landed", page, StringComparison.Ordinal);
        Assert.Contains("Sectors that read wrong", page, StringComparison.Ordinal);
        // "record 0" in hex, expected against zeros.
        Assert.Contains("<span class=\"diff\">72</span> <span class=\"diff\">65</span>", page, StringComparison.Ordinal);
        Assert.Contains("naive-log@flush0@E0:x01", page, StringComparison.Ordinal);

        string dom = Chromium.Run(_dir, "--dump-dom", path);
        Assert.Contains("Timeline of this state", dom, StringComparison.Ordinal);
        AssertScreenshot(Chromium.Screenshot(_dir, path));
    }

    [Fact]
    public void Vhd_crashtest_writes_the_page_and_the_suite_rebuilds_its_failures_for_it()
    {
        string passing = Path.Combine(_dir, "suite.html");
        var o = new StringWriter();
        int code = Program.Run(["crashtest", "--workload", "first-write", "--no-io-errors", "--html", passing], o, new StringWriter(), new MemoryStream(), new MemoryStream());
        Assert.True(code == 0, o.ToString());
        string page = File.ReadAllText(passing);
        AssertSelfContained(page);
        Assert.Contains("first-write", page, StringComparison.Ordinal);
        Assert.Contains("PASSED", page, StringComparison.Ordinal);
        AssertScreenshot(Chromium.Screenshot(_dir, passing));

        // A failing suite run: each shown failure is rebuilt from its token, with its timeline and sectors.
        var failing = CrashSuite.RunWorkload(new PromisedEarlyWorkload(), new CrashSuiteOptions { IoErrors = false, NestedRepairEvery = 0, RecoverEvery = 0 });
        Assert.False(failing.Passed);
        string failed = Path.Combine(_dir, "failed.html");
        failing.WriteHtml(failed, explain: 3);
        page = File.ReadAllText(failed);
        AssertSelfContained(page);
        Assert.Contains("Timeline of this state", page, StringComparison.Ordinal);
        Assert.Contains("Sectors that read wrong", page, StringComparison.Ordinal);
        Assert.Contains("the flushed value", page, StringComparison.Ordinal);
    }

    private static void AssertSelfContained(string page)
    {
        Assert.StartsWith("<!DOCTYPE html>", page, StringComparison.Ordinal);
        foreach (string external in (string[])["http://", "https://", "<script", "<link", "src=", "@import"])
            Assert.DoesNotContain(external, page, StringComparison.OrdinalIgnoreCase);
    }

    private void AssertScreenshot(byte[] png)
    {
        output.WriteLine($"screenshot: {png.Length} bytes");
        Assert.True(png.AsSpan(0, 8).SequenceEqual((byte[])[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "not a PNG");
        Assert.Equal(1200, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
        // A blank page compresses to a few hundred bytes; text and tables do not.
        Assert.True(png.Length > 10_000, $"the screenshot is {png.Length} bytes: nothing rendered");
    }
}

/// <summary>Debian's headless Chromium, as the task gives it: a new empty profile per run, no network activity of its own.</summary>
internal static class Chromium
{
    public static byte[] Screenshot(string dir, string html)
    {
        string png = Path.Combine(dir, Path.GetFileNameWithoutExtension(html) + ".png");
        Run(dir, "--screenshot=" + png, html, "--window-size=1200,1600");
        return File.ReadAllBytes(png);
    }

    public static string Run(string dir, string action, string html, string? extra = null)
    {
        string profile = Directory.CreateTempSubdirectory("chromium-profile-").FullName;
        var start = new ProcessStartInfo("chromium") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir };
        foreach (string arg in (string[])["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile, action])
            start.ArgumentList.Add(arg);
        if (extra is not null) start.ArgumentList.Add(extra);
        start.ArgumentList.Add(new Uri(html).AbsoluteUri);
        try
        {
            using var process = Process.Start(start) ?? throw new InvalidOperationException("chromium did not start (scripts/setup.sh installs it)");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("chromium did not finish within 2 minutes");
            }

            if (process.ExitCode != 0) throw new InvalidOperationException($"chromium exited {process.ExitCode}: {stderr.Result}");
            return stdout.Result;
        }
        finally
        {
            Directory.Delete(profile, recursive: true);
        }
    }
}
