using Akka.Actor;
using Storage.CrashTesting;
using Xunit;
using Xunit.Abstractions;

namespace Storage.Tests.Crash;

/// <summary>
/// The public API, run over our own workloads (ported to the facade, <see cref="FacadeWorkloads"/>),
/// gives the internal suite's verdicts: every workload passes in both; a workload that promises a
/// write before flushing it (an ordering bug planted here, never in src/) fails in both.
/// </summary>
public sealed class PublicApiVerdictTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly ActorSystem _system = ActorSystem.Create("crash-verdicts");

    public static TheoryData<string> Workloads => new(FacadeWorkloads.All.Keys);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _system.Terminate();

    [Theory]
    [MemberData(nameof(Workloads))]
    public async Task Our_workloads_get_the_same_verdict_from_the_public_API_as_from_the_suite(string workload)
    {
        var suite = SuiteRuns.For(workload);
        var (setup, run) = FacadeWorkloads.All[workload];
        var api = await CrashTest.RunAsync(run, FacadeWorkloads.Check, Options(workload) with { Setup = setup });

        output.WriteLine($"suite: {suite.StatesExplored} states, {suite.FailureCount} failures; API: {api}");
        Assert.True(suite.StatesExplored > 0 && api.StatesExplored > 0);
        Assert.True(api.CrashPoints >= 2, $"{api.CrashPoints} crash points");
        Assert.Equal(suite.Passed, api.Passed);
        Assert.True(api.Passed, api.ToString());
    }

    [Fact]
    public void Every_workload_of_the_suite_that_starts_from_a_store_is_ported()
    {
        // Not portable: the repair workloads (their set-up is a deliberate crash) and the forced commits,
        // which make the sibling refuse to open on purpose, where the API's built-in check wants every
        // image whose creation returned to open and read its durable writes. Not yet: issue 12's
        // maintenance workloads, whose operations the facade does not offer yet (IDiskStore.CompactAsync
        // and ResizeAsync, IDisk.DiscardAsync wait for the facade's restructure; set-parent and pull
        // are engine and tool operations only).
        string[] maintenance = ["compact", "discard", "resize-", "set-parent", "pull"];
        var portable = CrashSuite.WorkloadNames
            .Where(n => !n.StartsWith("repair-", StringComparison.Ordinal) && !n.StartsWith("commit-forced-", StringComparison.Ordinal))
            .Where(n => !maintenance.Any(m => n.StartsWith(m, StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal);
        Assert.Equal(portable, FacadeWorkloads.All.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_write_promised_before_its_flush_fails_in_both()
    {
        var suite = CrashSuite.RunWorkload(new PromisedEarlyWorkload(), new CrashSuiteOptions { IoErrors = false, NestedRepairEvery = 0, RecoverEvery = 0 });
        var api = await CrashTest.RunAsync(PromisedEarly, CheckPromisedEarly, Options("promised-early") with { Setup = FacadeWorkloads.EmptyDynamic });

        output.WriteLine($"suite: {suite.FailureCount} failures, first: {suite.Failures.FirstOrDefault()}");
        output.WriteLine($"API: {api}");
        Assert.False(suite.Passed);
        Assert.False(api.Passed);
        Assert.Contains(suite.Failures, f => f.CrashPoint.StartsWith("flush", StringComparison.Ordinal));
        Assert.Contains(api.Failures, f => f.CrashPoint.StartsWith("flush", StringComparison.Ordinal) && f.Mismatches.Count > 0);
    }

    private CrashTestOptions Options(string name) => new() { Name = name, ActorSystem = _system, MaxStatesPerCrashPoint = 64 };

    /// <summary>Writes into a new block, promises it, writes another, then flushes both: a crash before the flush may lose the promised one.</summary>
    private static async Task PromisedEarly(CrashTestContext ctx)
    {
        await using var disk = await ctx.Store.OpenAsync(ctx.PathOf("disk.vhd"));
        await disk.WriteAsync(FacadeWorkloads.Block + 1024, CrashTestApiTests.Bytes(4096, 1));
        ctx.Acknowledge("first");
        await disk.WriteAsync(3L * FacadeWorkloads.Block, CrashTestApiTests.Bytes(2048, 2));
        await disk.FlushAsync();
    }

    private static async Task CheckPromisedEarly(CrashRecoveryContext check)
    {
        await FacadeWorkloads.Check(check);
        if (!check.Acknowledged.Contains("first")) return;
        await using var disk = await check.Store.OpenAsync(check.PathOf("disk.vhd"), FileAccess.Read);
        await check.ExpectBytesAsync(disk, FacadeWorkloads.Block + 1024, CrashTestApiTests.Bytes(4096, 1), "the promised write");
    }
}
