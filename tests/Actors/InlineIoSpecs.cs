using Akka.Configuration;
using Storage.FaultInjection;
using Storage.VhdEngine;
using Storage.VhdActors;
using Xunit;
using Xunit.Abstractions;

namespace Storage.Tests.Actors;

/// <summary>
/// Inline I/O (VhdStorageOptions.InlineIo): reads and writes under the image actor's lease, the
/// lease's revocation (idle close, I/O error), and the message path when it is off.
/// </summary>
public sealed class InlineIoSpecs : Akka.TestKit.Xunit2.TestKit
{
    public InlineIoSpecs(ITestOutputHelper output)
        : base(ConfigurationFactory.ParseString("akka.loglevel = DEBUG").WithFallback(ConfigurationFactory.ParseString(Fixtures.Hocon)), nameof(InlineIoSpecs), output)
    {
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Both_paths_serve_reads_writes_and_snapshots_alike(bool inline)
    {
        var fs = Fixtures.NewFs();
        var store = DiskStore.Start(Sys, Fixtures.Options(fs) with { InlineIo = inline });
        string basePath = Fixtures.P("base.vhd"), childPath = Fixtures.P("child.vhd");
        var data = Fixtures.Bytes(100_000, 3);
        using var spans = new SpanRecorder(basePath);
        await using var disk = await store.CreateAsync(basePath, Fixtures.Small());
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => disk.WriteAsync(i * 150_000L, data)));
        var back = new byte[data.Length];
        spans.Clear();
        Assert.Equal(data.Length, await disk.ReadAsync(19 * 150_000L, back));
        Assert.Equal(data, back);
        Assert.True(inline ? spans.RanInline("vhd.read") : spans.WentToActor("vhd.read"));

        await store.SnapshotAsync(basePath, childPath);
        // The parent is frozen: the handle says so, and refuses writes either way.
        Assert.False(disk.CanWrite);
        await Assert.ThrowsAsync<NotSupportedException>(() => disk.WriteAsync(0, new byte[] { 9 }));
        spans.Clear();
        Assert.Equal(data.Length, await disk.ReadAsync(0, back));
        Assert.Equal(data, back);
        Assert.True(inline ? spans.RanInline("vhd.read") : spans.WentToActor("vhd.read"));
    }

    [Fact]
    public async Task A_busy_image_is_not_closed_as_idle_and_an_idle_one_is()
    {
        // "Busy" is judged by the options' clock, which only the test moves: a stalled test thread
        // on a loaded machine cannot turn a busy image idle (the idle timer itself is real time).
        var clock = new ManualClock();
        var idleChecks = CreateTestProbe();
        Sys.EventStream.Subscribe(idleChecks.Ref, typeof(Akka.Event.Debug));
        var fs = Fixtures.NewFs();
        var store = DiskStore.Start(Sys, Fixtures.Options(fs, idle: TimeSpan.FromMilliseconds(300)) with { Clock = clock });
        using var spans = new SpanRecorder(Fixtures.P("a.vhd"));
        await using var disk = await store.CreateAsync(Fixtures.P("a.vhd"), Fixtures.Small());
        var buffer = new byte[4096];
        await disk.ReadAsync(0, buffer);
        Assert.True(spans.RanInline("vhd.read"));
        // The first write allocates block 0 (a message to the actor); the second goes into it inline. After
        // that no message reaches the actor, yet three idle timers pass and it stays open.
        await disk.WriteAsync(8192, buffer);
        await disk.WriteAsync(8192, buffer);
        for (int i = 0; i < 3; i++)
        {
            await idleChecks.FishForMessageAsync<Akka.Event.Debug>(d =>
            {
                Assert.DoesNotContain("retiring", $"{d.Message}", StringComparison.Ordinal);
                return $"{d.Message}".Contains("staying open");
            }, TimeSpan.FromSeconds(10));
        }
        // Now idle by the clock: the actor retires (revoking the lease) and the next request is served by a new one.
        clock.Advance(TimeSpan.FromMilliseconds(301));
        await idleChecks.FishForMessageAsync<Akka.Event.Debug>(d => $"{d.Message}".Contains("retiring its actor"), TimeSpan.FromSeconds(10));
        spans.Clear();
        Assert.Equal(buffer.Length, await disk.ReadAsync(8192, buffer));
        Assert.True(spans.RanInline("vhd.read"));
    }

    [Fact]
    public async Task An_inline_io_error_revokes_the_lease_and_the_reopened_image_lends_a_new_one()
    {
        var fs = new FaultFileSystem(Fixtures.NewFs());
        var store = DiskStore.Start(Sys, Fixtures.Options(fs));
        var restarts = CreateTestProbe();
        Sys.EventStream.Subscribe(restarts.Ref, typeof(Akka.Event.Warning));
        using var spans = new SpanRecorder(Fixtures.P("a.vhd"));
        await using var disk = await store.CreateAsync(Fixtures.P("a.vhd"), Fixtures.Small());
        await disk.WriteAsync(0, new byte[] { 1 });
        await disk.FlushAsync();
        fs.Plan = new FaultPlan().FailAt(0);
        // Block 0 is allocated, so this write runs inline (an allocating one would go to the actor).
        spans.Clear();
        await Assert.ThrowsAsync<VhdIOException>(() => disk.WriteAsync(4096, new byte[] { 2 }));
        Assert.True(spans.RanInline("vhd.write"));
        // The actor heard of it and restarted, reopening the image.
        await restarts.FishForMessageAsync<Akka.Event.Warning>(w => $"{w.Message}".Contains("restarted"), TimeSpan.FromSeconds(10));
        var one = new byte[1];
        spans.Clear();
        await disk.ReadAsync(0, one);
        Assert.Equal(1, one[0]);
        Assert.True(spans.RanInline("vhd.read"));
        await disk.WriteAsync(2 << 20, new byte[] { 2 });
        await disk.ReadAsync(2 << 20, one);
        Assert.Equal(2, one[0]);
    }
}
