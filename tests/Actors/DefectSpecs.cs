using Akka.Configuration;
using Storage.FaultInjection;
using Storage.VhdActors;
using Xunit;
using Xunit.Abstractions;

namespace Storage.Tests.Actors;

/// <summary>
/// The defects issue 13 found through the facade: an open right after a failed open of the same
/// path reached the dying actor; cancellation surfaced as three different exceptions.
/// </summary>
public sealed class DefectSpecs : Akka.TestKit.Xunit2.TestKit
{
    public DefectSpecs(ITestOutputHelper output)
        : base(ConfigurationFactory.ParseString(Fixtures.Hocon), nameof(DefectSpecs), output)
    {
    }

    private static async Task<Exception> Failure(Func<Task> call)
    {
        var e = await Record.ExceptionAsync(call);
        Assert.NotNull(e);
        return e;
    }

    [Fact]
    public async Task An_open_right_after_a_failed_open_of_the_same_path_gets_its_own_answer()
    {
        var fs = Fixtures.NewFs();
        var store = Fixtures.Start(Sys, Fixtures.Options(fs));
        string missing = Fixtures.P("missing.vhd");
        for (int i = 0; i < 100; i++)
        {
            foreach (var e in new[] { await Failure(() => store.OpenAsync(missing)), await Failure(() => store.OpenAsync(missing, FileAccess.Read)) })
            {
                Assert.Contains(missing, e.Message, StringComparison.Ordinal);
                Assert.DoesNotContain("closed", e.Message, StringComparison.Ordinal);
            }
        }
        // Create right after a failed open of the same path.
        await Failure(() => store.OpenAsync(missing));
        await using var created = await store.CreateAsync(missing, Fixtures.Small());
        Assert.True(created.CanWrite);
    }

    [Fact]
    public async Task After_a_snapshot_a_refused_writable_open_of_the_parent_does_not_break_the_read_only_one()
    {
        var fs = Fixtures.NewFs();
        var store = Fixtures.Start(Sys, Fixtures.Options(fs));
        for (int i = 0; i < 30; i++)
        {
            string parent = Fixtures.P($"r{i}.vhd"), child = Fixtures.P($"r{i}-1.vhd");
            await (await store.CreateAsync(parent, Fixtures.Small())).DisposeAsync();
            await store.SnapshotAsync(parent, child);
            var refused = await Failure(() => store.OpenAsync(parent, FileAccess.ReadWrite));
            Assert.Contains("read-only", refused.Message, StringComparison.Ordinal);
            await using var reader = await store.OpenAsync(parent, FileAccess.Read);
            Assert.False(reader.CanWrite);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_call_cancelled_while_it_waits_for_its_turn_throws_OperationCanceledException_with_the_callers_token(bool inline)
    {
        var fs = new FaultFileSystem(Fixtures.NewFs());
        var store = Fixtures.Start(Sys, Fixtures.Options(fs) with { MaxInFlightPerImage = 1, InlineIo = inline });
        await using var disk = await store.CreateAsync(Fixtures.P("a.vhd"), Fixtures.Small());
        await disk.WriteAsync(0, new byte[4096]);
        using var release = new ManualResetEventSlim();
        fs.FlushingToDisk += (_, _) => release.Wait(TimeSpan.FromSeconds(30));
        // The flush holds the image's one slot (and its actor) until released.
        var flush = disk.FlushAsync();
        using var cts = new CancellationTokenSource();
        // With inline I/O a write would wait for the engine's lock instead, which the flush holds:
        // only a flush (always a message) waits for the slot then.
        Task[] calls = inline
            ? [disk.FlushAsync(cts.Token)]
            : [disk.WriteAsync(1 << 20, new byte[10], cts.Token), disk.FlushAsync(cts.Token)];
        await Task.Delay(100);
        cts.Cancel();
        foreach (var call in calls)
        {
            var e = await Assert.ThrowsAsync<OperationCanceledException>(() => call);
            Assert.Equal(cts.Token, e.CancellationToken);
        }
        release.Set();
        await flush;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Calls_with_a_cancelled_token_throw_OperationCanceledException_with_that_token(bool inline)
    {
        var fs = Fixtures.NewFs();
        var store = Fixtures.Start(Sys, Fixtures.Options(fs) with { InlineIo = inline });
        string path = Fixtures.P("t.vhd");
        await using var disk = await store.CreateAsync(path, Fixtures.Small());
        await disk.WriteAsync(0, new byte[4096]); // allocated: inline I/O may serve the calls below
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Func<Task>[] calls =
        [
            () => disk.ReadAsync(0, new byte[512], cts.Token),
            () => disk.WriteAsync(0, new byte[512], cts.Token),
            () => disk.WriteAsync(2 << 20, new byte[512], cts.Token),
            () => disk.FlushAsync(cts.Token),
            () => store.OpenAsync(path, FileAccess.Read, cts.Token),
            () => store.SnapshotAsync(path, Fixtures.P("t-1.vhd"), cts.Token),
        ];
        foreach (var call in calls)
        {
            var e = await Assert.ThrowsAsync<OperationCanceledException>(call);
            Assert.Equal(cts.Token, e.CancellationToken);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Writes_cancelled_at_any_moment_fail_only_with_OperationCanceledException_carrying_the_callers_token(bool inline)
    {
        var fs = Fixtures.NewFs();
        var store = Fixtures.Start(Sys, Fixtures.Options(fs) with { InlineIo = inline });
        await using var disk = await store.CreateAsync(Fixtures.P("c.vhd"), Fixtures.Small(8 << 20));
        var random = new Random(13);
        var data = new byte[64 * 1024];
        for (int i = 0; i < 200; i++)
        {
            using var cts = new CancellationTokenSource();
            var write = disk.WriteAsync(random.Next(0, 120) * 65536L, data, cts.Token);
            if (i % 3 == 0) cts.Cancel(); else cts.CancelAfter(TimeSpan.FromTicks(random.Next(0, 2000)));
            var e = await Record.ExceptionAsync(() => write);
            if (e is null) continue;
            var cancelled = Assert.IsType<OperationCanceledException>(e);
            Assert.Equal(cts.Token, cancelled.CancellationToken);
        }
    }
}
