using Storage.CrashTesting;
using Xunit;
using Xunit.Abstractions;

namespace Storage.Tests.Crash;

/// <summary>
/// I/O errors at every counted operation of each workload, once and from then on, plus short reads
/// and a full disk: the failing call throws a VhdException, the disk keeps working or says why not,
/// and after a crash every image passes checks 1-4.
/// </summary>
public sealed class IoErrorTests(ITestOutputHelper output)
{
    public static TheoryData<string> Workloads => new(CrashSuite.WorkloadNames);

    [Theory]
    [MemberData(nameof(Workloads))]
    public void An_io_error_at_any_operation_leaves_a_sound_image(string workload)
    {
        var result = CrashSuite.Run(new CrashSuiteOptions { Workloads = [workload], CrashStates = false });
        var w = Assert.Single(result.Workloads);
        output.WriteLine($"{w.Name}: {w.IoErrorRuns} runs with an injected fault, {w.IoErrorStates} crash states after them");
        Assert.True(result.Passed, WorkloadExplorationTests.Report(result));
        Assert.True(w.IoErrorRuns >= 10, $"{workload}: only {w.IoErrorRuns} fault runs");
        Assert.True(w.IoErrorStates >= w.IoErrorRuns, $"{workload}: {w.IoErrorStates} states for {w.IoErrorRuns} runs");
    }

    [Fact]
    public void Random_workloads_survive_io_errors_too()
    {
        var result = CrashSuite.Run(new CrashSuiteOptions
        {
            Workloads = [.. Enumerable.Range(1, Soak.Pick(3, 40)).Select(i => $"random-{i * 7919}")],
            CrashStates = false,
        });
        output.WriteLine($"{result.Workloads.Sum(w => w.IoErrorRuns)} fault runs over {result.Workloads.Count} random workloads");
        Assert.True(result.Passed, WorkloadExplorationTests.Report(result));
    }
}
