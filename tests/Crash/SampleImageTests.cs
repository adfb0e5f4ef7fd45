using Storage.CrashTesting;
using Xunit;
using Xunit.Abstractions;

namespace Storage.Tests.Crash;

/// <summary>Allocation in images made by Virtual PC and Hyper-V survives every crash state.</summary>
public sealed class SampleImageTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("virtualpc-dynamic.vhd")]
    [InlineData("hyperv2012r2-dynamic.vhd")]
    public void Allocating_in_a_sample_image_survives_every_crash_state(string sample)
    {
        var workload = new SampleImageWorkload("sample-" + sample, Samples.Bytes(sample));
        // Repairs with crash points of their own are covered by the repair workloads; here they would
        // mostly enumerate the truncation of a 127 GiB disk's tail.
        var result = CrashSuite.RunWorkload(workload, new CrashSuiteOptions { NestedRepairEvery = Soak.Pick(0, 16) });
        output.WriteLine($"{sample}: {result.StatesExplored} states, {result.FailureCount} failures");
        Assert.True(result.Passed, WorkloadExplorationTests.Report(result));
        Assert.True(result.StatesExplored >= 20, $"{sample}: only {result.StatesExplored} states");
    }
}
