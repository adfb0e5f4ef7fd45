using Storage.CrashTesting;
using Xunit;
using Xunit.Abstractions;

namespace Storage.Tests.Crash;

/// <summary>
/// Each workload's crash points, every state (exhaustive up to 12 pieces, ALICE-style plus sampled
/// above), verified with checks 1-6; STORAGE_SOAK=1 adds many more sampled states and recovers every state.
/// </summary>
public sealed class WorkloadExplorationTests(ITestOutputHelper output)
{
    public static TheoryData<string> Workloads => new(CrashSuite.WorkloadNames);

    [Theory]
    [MemberData(nameof(Workloads))]
    public void Every_crash_state_of_the_workload_is_sound(string workload)
    {
        var result = SuiteRuns.For(workload);
        var w = Assert.Single(result.Workloads);
        output.WriteLine($"{w.Name}: {w.StatesExplored} states at {w.CrashPoints} crash points ({w.NestedRepairStates} inside recoveries), {result.StatesPerSecond:0} states/s");
        Assert.True(result.Passed, Report(result));
        Assert.True(w.CrashPoints >= 2, $"{workload} reached {w.CrashPoints} crash points");
        Assert.True(w.StatesExplored >= 20, $"{workload} explored only {w.StatesExplored} states");
    }

    [Fact]
    public void The_default_run_is_deterministic()
    {
        var options = new CrashSuiteOptions { Workloads = ["first-write-differencing", "small-writes"], IoErrors = false };
        var first = CrashSuite.Run(options);
        var second = CrashSuite.Run(options with { Parallelism = 1 });
        Assert.Equal(
            first.Workloads.Select(w => (w.Name, w.StatesExplored, w.CrashPoints, w.NestedRepairStates)),
            second.Workloads.Select(w => (w.Name, w.StatesExplored, w.CrashPoints, w.NestedRepairStates)));
        Assert.True(first.Passed && second.Passed, Report(first) + Report(second));
    }

    internal static string Report(CrashSuiteResult result) =>
        result.Passed ? string.Empty : $"{result.FailureCount} failure(s):\n" + string.Join("\n\n", result.Failures.Take(10));
}
