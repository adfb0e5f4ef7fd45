using System.Buffers.Binary;
using Storage.CrashTesting;
using Storage.FaultInjection;
using Storage.VhdActors;
using Storage.VhdEngine.Disks;
using Xunit;
using Xunit.Abstractions;

namespace Storage.Tests.Crash;

/// <summary>
/// The public crash-testing API on small user workloads: a sound one passes; ordering bugs planted in
/// the workload (here, never in src/) are caught, with replay tokens that rerun exactly the failing
/// state; a missing directory fsync in the workload's own file handling is caught by the name model.
/// </summary>
public sealed class CrashTestApiTests(ITestOutputHelper output)
{
    private const int Block = 512 << 10;
    private static readonly VhdCreateOptions Small = new() { Size = 4 << 20, BlockSize = Block };

    [Fact]
    public async Task Flushed_writes_survive_every_crash_state()
    {
        var result = await CrashTest.RunAsync(
            async ctx =>
            {
                await using var disk = await ctx.Store.CreateAsync(ctx.PathOf("a.vhd"), Small);
                await disk.WriteAsync(0, Bytes(4096, 1));
                await disk.FlushAsync();
                ctx.Acknowledge("first");
                await disk.WriteAsync(3L * Block, Bytes(1024, 2));
                await disk.FlushAsync();
                await disk.WriteAsync(512, Bytes(512, 3));
            },
            check => check.VerifyDurableWritesAsync(),
            new CrashTestOptions { Name = "flushed" });

        output.WriteLine(result.ToString());
        Assert.True(result.CrashPoints >= 4, $"{result.CrashPoints} crash points");
        Assert.True(result.StatesExplored > 50, $"{result.StatesExplored} states");
        Assert.Equal(0, result.StatesSkipped);
        result.AssertPassed();
    }

    [Fact]
    public async Task A_planted_ordering_bug_is_caught_and_its_replay_token_reproduces_exactly_that_state()
    {
        var naive = await CrashTest.RunAsync(ctx => IndexedStore(ctx, flushDataFirst: false), CheckIndexedStore, IndexedOptions);
        output.WriteLine(naive.ToString());
        Assert.False(naive.Passed);
        var failure = naive.Failures[0];
        // Value 0 is safe by luck: its block and the index's are both new, and the engine makes new data
        // durable before any block pointer. From value 1 on the index is rewritten in place.
        Assert.Contains("value 1, counted by the index", failure.Message, StringComparison.Ordinal);
        Assert.Contains(failure.Timeline, e => e.Outcome == PendingChangeOutcome.Dropped && e.Kind == CrashTimelineKind.Write);
        Assert.Contains(failure.Timeline, e => e.Kind == CrashTimelineKind.Crash);
        var mismatch = Assert.Single(failure.Mismatches.Take(1));
        Assert.Equal(Bytes(512, 101), mismatch.Expected);
        Assert.Equal(new byte[512], mismatch.Actual);
        Assert.StartsWith("indexed@flush", failure.ReplayToken, StringComparison.Ordinal);
        Assert.Throws<CrashTestFailedException>(naive.AssertPassed);

        var replay = await CrashTest.ReplayAsync(failure.ReplayToken, ctx => IndexedStore(ctx, flushDataFirst: false), CheckIndexedStore, IndexedOptions);
        Assert.Equal(1, replay.StatesExplored);
        var again = Assert.Single(replay.Failures);
        Assert.Equal(failure.Message, again.Message);
        Assert.Equal(failure.State, again.State);

        var fixedStore = await CrashTest.RunAsync(ctx => IndexedStore(ctx, flushDataFirst: true), CheckIndexedStore, IndexedOptions);
        output.WriteLine(fixedStore.ToString());
        fixedStore.AssertPassed();
        // The fix adds a flush per value: more crash points, every state sound.
        Assert.True(fixedStore.CrashPoints > naive.CrashPoints, $"{fixedStore.CrashPoints} against {naive.CrashPoints} crash points");
    }

    [Fact]
    public async Task A_missing_directory_fsync_in_the_workload_is_caught_by_the_name_model()
    {
        var planted = await CrashTest.RunAsync(ctx => SaveManifest(ctx, syncDirectory: false), CheckManifest, new CrashTestOptions { Name = "manifest" });
        output.WriteLine(planted.ToString());
        Assert.False(planted.Passed);
        Assert.Contains(planted.Failures, f => f.Message.Contains("manifest v1 was acknowledged", StringComparison.Ordinal)
            && f.Timeline.Any(e => e.Kind == CrashTimelineKind.Rename && e.Outcome == PendingChangeOutcome.Dropped));

        var sound = await CrashTest.RunAsync(ctx => SaveManifest(ctx, syncDirectory: true), CheckManifest, new CrashTestOptions { Name = "manifest" });
        sound.AssertPassed();
    }

    [Fact]
    public async Task A_token_for_a_point_the_workload_never_reaches_fails_instead_of_passing_empty()
    {
        var result = await CrashTest.ReplayAsync("indexed@flush99@E9:p0", ctx => IndexedStore(ctx, flushDataFirst: false), CheckIndexedStore, IndexedOptions);
        var failure = Assert.Single(result.Failures);
        Assert.Contains("not reached", failure.Message, StringComparison.Ordinal);
        Assert.Equal(0, result.StatesExplored);
    }

    [Fact]
    public async Task Budgets_cap_the_states_and_count_what_they_leave_out()
    {
        var options = IndexedOptions with { Name = "budget", MaxStatesPerCrashPoint = 2 };
        var capped = await CrashTest.RunAsync(ctx => IndexedStore(ctx, flushDataFirst: true), CheckIndexedStore, options);
        Assert.True(capped.StatesSkipped > 0);
        Assert.True(capped.StatesExplored <= 2L * capped.CrashPoints);

        var total = await CrashTest.RunAsync(ctx => IndexedStore(ctx, flushDataFirst: true), CheckIndexedStore, options with { MaxStates = 5 });
        Assert.Equal(5, total.StatesExplored);
        Assert.True(total.Stopped);

        var sampled = await CrashTest.RunAsync(ctx => IndexedStore(ctx, flushDataFirst: true), CheckIndexedStore, options with { Exploration = CrashExploration.Sampled, SampledStatesPerCrashPoint = 1, MaxStatesPerCrashPoint = 100 });
        Assert.Equal(sampled.CrashPoints, sampled.StatesExplored);
    }

    [Fact]
    public async Task A_workload_that_throws_is_reported_and_not_explored()
    {
        var result = await CrashTest.RunAsync(_ => throw new InvalidOperationException("boom"), _ => Task.CompletedTask, new CrashTestOptions { Name = "throws" });
        var failure = Assert.Single(result.Failures);
        Assert.Equal("run", failure.CrashPoint);
        Assert.Contains("boom", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_names_and_tokens_are_refused_with_clear_errors()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => CrashTest.RunAsync(_ => Task.CompletedTask, _ => Task.CompletedTask, new CrashTestOptions { Name = "a@b" }));
        Assert.Contains("a@b", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => CrashTest.ReplayAsync("other@flush1@E0:p0", _ => Task.CompletedTask, _ => Task.CompletedTask, IndexedOptions));
        await Assert.ThrowsAsync<FormatException>(() => CrashTest.ReplayAsync("not a token", _ => Task.CompletedTask, _ => Task.CompletedTask, IndexedOptions));
    }

    private static CrashTestOptions IndexedOptions => new() { Name = "indexed", Setup = CreateStore };

    private static async Task CreateStore(CrashTestContext ctx) => await (await ctx.Store.CreateAsync(ctx.PathOf("kv.vhd"), Small)).DisposeAsync();

    /// <summary>
    /// A key-value store in its simplest form: value i in block 1 + i, then an index sector (0) that
    /// counts the values. The planted bug: the index goes out in the same flush as the value.
    /// </summary>
    private static async Task IndexedStore(CrashTestContext ctx, bool flushDataFirst)
    {
        await using var disk = await ctx.Store.OpenAsync(ctx.PathOf("kv.vhd"));
        for (int i = 0; i < 3; i++)
        {
            await disk.WriteAsync(ValueOffset(i), Bytes(512, 100 + i));
            if (flushDataFirst) await disk.FlushAsync();
            var index = new byte[512];
            BinaryPrimitives.WriteInt32LittleEndian(index, i + 1);
            await disk.WriteAsync(0, index);
            await disk.FlushAsync();
            ctx.Acknowledge($"value {i}");
        }
    }

    private static async Task CheckIndexedStore(CrashRecoveryContext check)
    {
        await using var disk = await check.Store.OpenAsync(check.PathOf("kv.vhd"), FileAccess.Read);
        var index = new byte[512];
        await disk.ReadAsync(0, index);
        int count = BinaryPrimitives.ReadInt32LittleEndian(index);
        check.Check(count >= check.Acknowledged.Count, $"{check.Acknowledged.Count} values acknowledged, the index counts {count}");
        for (int i = 0; i < count; i++) await check.ExpectBytesAsync(disk, ValueOffset(i), Bytes(512, 100 + i), $"value {i}, counted by the index");
        await check.VerifyDurableWritesAsync();
    }

    private static long ValueOffset(int i) => (1L + i) * Block;

    /// <summary>A service's manifest beside its images, saved the POSIX way: temp file, fsync, rename, and (unless planted away) the directory's fsync.</summary>
    private static async Task SaveManifest(CrashTestContext ctx, bool syncDirectory)
    {
        await using (var disk = await ctx.Store.CreateAsync(ctx.PathOf("data.vhd"), Small))
        {
            await disk.WriteAsync(0, Bytes(4096, 7));
            await disk.FlushAsync();
        }

        string temp = ctx.PathOf("manifest.tmp");
        await using (var stream = ctx.FileSystem.FileStream.New(temp, FileMode.Create, FileAccess.Write))
        {
            stream.Write("v1 data.vhd"u8);
            stream.Flush(flushToDisk: true);
        }

        ctx.FileSystem.File.Move(temp, ctx.PathOf("manifest"));
        if (syncDirectory)
        {
            using var directory = ctx.FileSystem.FileStream.New(ctx.Directory, FileMode.Open, FileAccess.Read);
            directory.Flush(flushToDisk: true);
        }

        ctx.Acknowledge("manifest v1");
        // Later work: its fsyncs are crash points at which the manifest must stay.
        await using var again = await ctx.Store.OpenAsync(ctx.PathOf("data.vhd"));
        await again.WriteAsync(8192, Bytes(512, 8));
        await again.FlushAsync();
    }

    private static async Task CheckManifest(CrashRecoveryContext check)
    {
        if (check.Acknowledged.Contains("manifest v1"))
        {
            check.Check(check.FileSystem.File.Exists(check.PathOf("manifest")), "manifest v1 was acknowledged, but the manifest is gone");
            check.Check(check.FileSystem.File.ReadAllText(check.PathOf("manifest")) == "v1 data.vhd", "the manifest does not read v1");
        }

        await check.VerifyDurableWritesAsync();
    }

    internal static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
