using CsCheck;
using Storage.CrashTesting;
using Storage.CrashTesting.Workloads;
using Xunit;
using Xunit.Abstractions;

namespace Storage.Tests.Crash;

/// <summary>
/// CsCheck-sampled workloads: random writes (aligned or not, across block boundaries), flushes and
/// reopens (with and without a flush) on a dynamic image or a differencing child; at every crash
/// point a few sampled crash states are verified. A failure prints CsCheck's seed (rerun with
/// CsCheck_Seed=...) and the replay token of the state.
/// </summary>
public sealed class RandomWorkloadPropertyTests(ITestOutputHelper output)
{
    private static readonly Gen<RandomOperation> GenWrite =
        Gen.Select(Gen.Int[0, 7], Gen.Int[-16, 1023], Gen.Int[0, 511], Gen.Bool, Gen.Int[1, 12 * 1024], (block, sector, bytes, unaligned, length) =>
            new RandomOperation(RandomOperationKind.Write, Math.Max(0, block * (long)Images.Block + sector * 512L + (unaligned ? bytes : 0)), length));

    private static readonly Gen<RandomOperation> GenOperation = Gen.Frequency(
        (6, GenWrite),
        (3, Gen.Const(new RandomOperation(RandomOperationKind.Flush))),
        (1, Gen.Const(new RandomOperation(RandomOperationKind.Reopen))),
        (1, Gen.Const(new RandomOperation(RandomOperationKind.ReopenWithoutFlush))));

    [Fact]
    public void Random_writes_flushes_and_reopens_survive_a_crash_at_sampled_states()
    {
        Gen.Select(Gen.Bool, GenOperation.Array[1, 14], Gen.Int).Sample(
            (differencing, operations, stateSeed) =>
            {
                var workload = new RandomWorkload("property", differencing, operations);
                var result = CrashSuite.RunWorkload(workload, new CrashSuiteOptions
                {
                    Seed = stateSeed,
                    IoErrors = false,
                    SampledStatesOnly = 2,
                    NestedRepairEvery = 0,
                    RecoverEvery = 0,
                    Parallelism = 1,
                });
                Assert.True(result.Passed, $"{workload.Description}\n" + WorkloadExplorationTests.Report(result));
            },
            writeLine: output.WriteLine,
            iter: Soak.Pick(40, 4000),
            print: t => $"differencing={t.Item1}, state seed={t.Item3}, operations: {string.Join(", ", t.Item2)}");
    }

    [Fact]
    public void Random_workloads_named_by_seed_are_reproducible()
    {
        var a = RandomWorkload.FromSeed(12345);
        var b = RandomWorkload.FromSeed(12345);
        Assert.Equal("random-12345", a.Name);
        Assert.Equal(a.Operations, b.Operations);
        Assert.Equal(a.Differencing, b.Differencing);
        Assert.Equal(a.Description, CrashSuite.Describe("random-12345"));
    }

    [Fact]
    public void A_timed_run_fills_its_budget_with_random_workloads()
    {
        var result = CrashSuite.Run(new CrashSuiteOptions { Workloads = [], IoErrors = false, TimeLimit = TimeSpan.FromSeconds(Soak.Pick(3, 120)), Seed = 42 });
        var random = Assert.Single(result.Workloads);
        Assert.Equal("random", random.Name);
        output.WriteLine($"{random.Description}: {random.StatesExplored} states");
        Assert.True(random.StatesExplored > 0);
        Assert.True(result.Passed, WorkloadExplorationTests.Report(result));
    }

    [Fact]
    public void A_budget_spent_before_anything_ran_still_verifies_a_random_workload()
    {
        // One tick is gone before the first state: the machine's load can never make this run
        // look different from a loaded CI machine's, which is the point.
        var result = CrashSuite.Run(new CrashSuiteOptions { Workloads = [], IoErrors = false, TimeLimit = TimeSpan.FromTicks(1), Seed = 42 });
        var random = Assert.Single(result.Workloads);
        Assert.Equal("random", random.Name);
        Assert.True(random.StatesExplored > 0, $"{random.StatesExplored} states");
        Assert.True(result.Passed, WorkloadExplorationTests.Report(result));
    }
}
