using System.Diagnostics;
using Storage.Fuzz;
using Storage.VhdEngine;
using Xunit;
using Xunit.Abstractions;

namespace Storage.Tests.Property;

/// <summary>
/// The fuzz harness over every seed of fuzz/corpus and every committed crash input
/// (tests/Property/CrashInputs: inputs that once made the engine throw something other than a
/// VhdException), in process and in a child process whose GC heap is capped.
/// </summary>
public class FuzzCorpusTests(ITestOutputHelper output)
{
    private static string Dir(string name) => Path.Combine(AppContext.BaseDirectory, name);

    public static TheoryData<string> CorpusFiles() => Files("corpus");

    public static TheoryData<string> CrashFiles() => Files("CrashInputs");

    private static TheoryData<string> Files(string dir)
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Dir(dir)).Order()) data.Add(Path.GetFileName(f));
        return data;
    }

    [Theory]
    [MemberData(nameof(CorpusFiles))]
    public void Seed_passes_every_stage(string name)
    {
        var outcome = FuzzHarness.Run(File.ReadAllBytes(Path.Combine(Dir("corpus"), name)));
        // The seeds are valid images: every stage gets through, and check finds nothing wrong.
        var all = Outcome.ReadOnlyOpened | Outcome.Checked | Outcome.CheckClean | Outcome.ReadWriteOpened | Outcome.Written | Outcome.Repaired | Outcome.Converted;
        Assert.Equal(name.Contains("differencing", StringComparison.Ordinal) ? all | Outcome.Committed : all, outcome);
    }

    [Theory]
    [MemberData(nameof(CrashFiles))]
    public void Crash_input_fails_only_with_VhdException(string name)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var outcome = FuzzHarness.Run(File.ReadAllBytes(Path.Combine(Dir("CrashInputs"), name)));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        output.WriteLine($"{name}: {outcome}, {allocated >> 10} KiB allocated");
        Assert.True(allocated < 64L << 20, $"{name}: {allocated} bytes allocated");
    }

    [Fact]
    public void Corpus_and_crash_inputs_replay_in_a_child_process_with_a_capped_heap()
    {
        var (code, stdout) = ChildProcess.Replay([Dir("corpus"), Dir("CrashInputs")], heapLimitBytes: 128L << 20);
        output.WriteLine(stdout);
        Assert.True(code == 0, stdout);
        Assert.DoesNotContain("CRASH", stdout);
        int files = Directory.GetFiles(Dir("corpus")).Length + Directory.GetFiles(Dir("CrashInputs")).Length;
        Assert.Contains($"replayed {files} inputs, 0 crashes", stdout);
    }
}

/// <summary>Runs the fuzz project's replay mode in a child `dotnet` with DOTNET_GCHeapHardLimit.</summary>
public static class ChildProcess
{
    /// <summary>Replays every file under <paramref name="paths"/>; returns the exit code and standard output.</summary>
    public static (int ExitCode, string Output) Replay(IEnumerable<string> paths, long heapLimitBytes)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "Storage.Fuzz.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add("replay");
        foreach (var p in paths) psi.ArgumentList.Add(p);
        psi.Environment["DOTNET_GCHeapHardLimit"] = heapLimitBytes.ToString("x");
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        // A hang guard, not a timing assertion: the replay is bounded work that takes seconds.
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"replay did not finish (a hang): {stdout}");
        }
        return (process.ExitCode, stdout + (process.ExitCode != 0 ? "\n" + stderr.Result : ""));
    }
}
