using Storage.CrashTesting;
using Storage.CrashTesting.Workloads;
using Storage.VhdEngine.Disks;
using Xunit;
using Xunit.Abstractions;

namespace Storage.Tests.Crash;

/// <summary>
/// The suite must catch each deliberate protocol violation within the default budget. Each workload
/// runs on its own (stopping at its first failure), so the output says which workloads catch which bug.
/// </summary>
public sealed class PlantedBugTests(ITestOutputHelper output)
{
    [Theory]
    // Expected catchers: any workload that allocates and flushes, and for AllocateAtEndOfBat one
    // that allocates twice (the second block lands on the first).
    [InlineData(nameof(PlantedBug.SkipFsyncBeforeBat), "first-write")]
    [InlineData(nameof(PlantedBug.BatBeforeData), "first-write")]
    [InlineData(nameof(PlantedBug.AllocateAtEndOfBat), "span-blocks")]
    public void The_planted_bug_is_caught(string bugName, string expectedCatcher)
    {
        var bug = Enum.Parse<PlantedBug>(bugName);
        var caughtBy = new List<string>();
        foreach (string workload in CrashSuite.WorkloadNames)
        {
            var result = CrashSuite.Run(new CrashSuiteOptions { Workloads = [workload], IoErrors = false, PlantedBug = bug, StopAtFirstFailure = true });
            if (result.Passed)
            {
                output.WriteLine($"{bug}: not caught by {workload} ({result.StatesExplored} states)");
                continue;
            }

            caughtBy.Add(workload);
            var failure = result.Failures[0];
            output.WriteLine($"{bug}: caught by {workload} after {result.StatesExplored} states: {failure}");
            Assert.Contains(workload, failure.ToString(), StringComparison.Ordinal);
            Assert.Contains(failure.Replay, failure.ToString(), StringComparison.Ordinal);
            Assert.Contains("seed 0", failure.ToString(), StringComparison.Ordinal);
        }

        output.WriteLine($"{bug} caught by: {string.Join(", ", caughtBy)}");
        Assert.Contains(expectedCatcher, caughtBy);
    }

    [Theory]
    [InlineData("virtualpc-dynamic.vhd")]
    [InlineData("hyperv2012r2-dynamic.vhd")]
    public void Allocating_at_the_end_of_the_BAT_is_caught_on_the_sample_images(string sample)
    {
        var workload = new ImageFileWorkload("sample-" + sample, Samples.Bytes(sample));
        // Repairs with crash points of their own are covered by the repair workloads; here they would
        // mostly enumerate the truncation of a 127 GiB disk's tail.
        var clean = CrashSuite.RunWorkload(workload, new CrashSuiteOptions { NestedRepairEvery = Soak.Pick(0, 16) });
        output.WriteLine($"{sample}: {clean.StatesExplored} states, clean engine: {clean.FailureCount} failures");
        Assert.True(clean.Passed, WorkloadExplorationTests.Report(clean));

        var planted = CrashSuite.RunWorkload(workload, new CrashSuiteOptions { IoErrors = false, NestedRepairEvery = 0, PlantedBug = PlantedBug.AllocateAtEndOfBat, StopAtFirstFailure = true });
        Assert.False(planted.Passed, $"AllocateAtEndOfBat not caught on {sample} in {planted.StatesExplored} states");
        output.WriteLine($"caught: {planted.Failures[0]}");
    }

    [Fact]
    public void A_planted_failure_replays_exactly()
    {
        var result = CrashSuite.Run(new CrashSuiteOptions { Workloads = ["first-write"], IoErrors = false, PlantedBug = PlantedBug.BatBeforeData, StopAtFirstFailure = true });
        var failure = Assert.Single(result.Failures);
        Assert.StartsWith("first-write+BatBeforeData@", failure.Replay, StringComparison.Ordinal);

        var replayed = CrashSuite.Replay(failure.Replay, failure.Seed);
        Assert.Equal(1, replayed.StatesExplored);
        var again = Assert.Single(replayed.Failures);
        Assert.Equal(failure.Message, again.Message);
        Assert.Equal(failure.Replay, again.Replay);
    }
}
