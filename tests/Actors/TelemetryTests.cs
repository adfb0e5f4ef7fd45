using System.Diagnostics;
using Akka.Configuration;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Storage.FaultInjection;
using Storage.VhdEngine;
using Storage.VhdActors;
using Xunit;
using Xunit.Abstractions;

namespace Storage.Tests.Actors;

/// <summary>
/// The OpenTelemetry wiring: facade span -> actor span -> engine span with the right parent
/// ids, and the metrics with their units. Other tests run in parallel and emit too, so every
/// assertion picks its own spans by image path and trace id.
/// </summary>
public sealed class TelemetryTests : Akka.TestKit.Xunit2.TestKit
{
    public TelemetryTests(ITestOutputHelper output)
        : base(ConfigurationFactory.ParseString(Fixtures.Hocon), nameof(TelemetryTests), output)
    {
    }

    [Fact]
    public async Task A_write_that_allocates_yields_facade_actor_and_allocation_spans_in_one_tree()
    {
        var spans = new List<Activity>();
        using var tracer = Sdk.CreateTracerProviderBuilder().AddVhdInstrumentation().AddInMemoryExporter(spans).Build();
        var fs = Fixtures.NewFs();
        var store = DiskStore.Start(Sys, Fixtures.Options(fs));
        string path = Fixtures.P("traced.vhd");

        await using (var disk = await store.CreateAsync(path, Fixtures.Small()))
        {
            await disk.WriteAsync(600_000, new byte[4096]);
            await disk.ReadAsync(600_000, new byte[16]);
            await disk.FlushAsync();
        }
        tracer.ForceFlush();
        Activity[] mine;
        lock (spans) mine = [.. spans];

        var facadeWrite = Assert.Single(mine, a => a.OperationName == "vhd.write" && a.Kind == ActivityKind.Client && Equals(a.GetTagItem("vhd.image"), path));
        var trace = mine.Where(a => a.TraceId == facadeWrite.TraceId).ToArray();
        var actorWrite = Assert.Single(trace, a => a.OperationName == "vhd.write" && a.Kind == ActivityKind.Server);
        Assert.Equal(facadeWrite.SpanId, actorWrite.ParentSpanId);
        var allocate = Assert.Single(trace, a => a.OperationName == "vhd.block.allocate");
        Assert.Equal(actorWrite.SpanId, allocate.ParentSpanId);
        Assert.Equal(1L, Convert.ToInt64(allocate.GetTagItem("vhd.block")));

        // The read goes into allocated space: inline, on the caller's thread, one span of its own.
        Assert.Contains(mine, a => a.OperationName == "vhd.read" && a.Kind == ActivityKind.Internal && Equals(a.GetTagItem("vhd.image"), path));
        foreach (string name in new[] { "vhd.open", "vhd.flush" })
        {
            var facade = mine.First(a => a.OperationName == name && a.Kind == ActivityKind.Client && Equals(a.GetTagItem("vhd.image"), path));
            Assert.Contains(mine, a => a.OperationName == name && a.Kind == ActivityKind.Server && a.ParentSpanId == facade.SpanId);
        }
    }

    [Fact]
    public async Task Snapshot_and_commit_are_traced_and_failures_mark_the_span()
    {
        var spans = new List<Activity>();
        using var tracer = Sdk.CreateTracerProviderBuilder().AddVhdInstrumentation().AddInMemoryExporter(spans).Build();
        var fs = Fixtures.NewFs();
        var store = DiskStore.Start(Sys, Fixtures.Options(fs));
        string basePath = Fixtures.P("tb.vhd"), child = Fixtures.P("tc.vhd");
        await (await store.CreateAsync(basePath, Fixtures.Small())).DisposeAsync();
        await store.SnapshotAsync(basePath, child);
        await store.CommitAsync(child);
        await Assert.ThrowsAsync<FileNotFoundException>(() => store.OpenAsync(Fixtures.P("nope.vhd")));
        tracer.ForceFlush();
        Activity[] mine;
        lock (spans) mine = [.. spans];

        foreach (string name in new[] { "vhd.snapshot", "vhd.commit" })
        {
            var facade = Assert.Single(mine, a => a.OperationName == name && a.Kind == ActivityKind.Client && Equals(a.GetTagItem("vhd.image"), child));
            Assert.Contains(mine, a => a.OperationName == name && a.Kind == ActivityKind.Server && a.ParentSpanId == facade.SpanId);
        }
        var failed = Assert.Single(mine, a => a.OperationName == "vhd.open" && a.Kind == ActivityKind.Client && Equals(a.GetTagItem("vhd.image"), Fixtures.P("nope.vhd")));
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
    }

    [Fact]
    public async Task Metrics_have_their_units_and_the_duration_histogram_its_microsecond_buckets()
    {
        var metrics = new List<Metric>();
        using var meter = Sdk.CreateMeterProviderBuilder().AddVhdInstrumentation().AddInMemoryExporter(metrics).Build();
        var fs = new FaultFileSystem(Fixtures.NewFs());
        var store = DiskStore.Start(Sys, Fixtures.Options(fs));
        await using (var disk = await store.CreateAsync(Fixtures.P("m.vhd"), Fixtures.Small()))
        {
            await disk.WriteAsync(0, new byte[512]);
            await disk.ReadAsync(0, new byte[512]);
            await disk.FlushAsync();
            fs.Plan = new FaultPlan().FailAt(0); // one I/O error: one restart
            await Assert.ThrowsAsync<VhdIOException>(() => disk.WriteAsync(3 << 20, new byte[1]));
            await disk.ReadAsync(0, new byte[1]);
        }
        meter.ForceFlush();

        Metric Find(string name) => metrics.Last(m => m.Name == name);
        var duration = Find("vhd.io.duration");
        Assert.Equal("s", duration.Unit);
        Assert.Equal(MetricType.Histogram, duration.MetricType);
        var bounds = new List<double>();
        foreach (ref readonly var point in duration.GetMetricPoints())
        {
            foreach (var bucket in point.GetHistogramBuckets())
                if (!double.IsPositiveInfinity(bucket.ExplicitBound)) bounds.Add(bucket.ExplicitBound);
            break;
        }
        Assert.Equal(1e-6, bounds.First());
        Assert.Equal(1.0, bounds.Last());

        Assert.Equal("{image}", Find("vhd.images.open").Unit);
        Assert.Equal(MetricType.LongSumNonMonotonic, Find("vhd.images.open").MetricType);
        Assert.Equal("{restart}", Find("vhd.actor.restarts").Unit);
        Assert.Equal("By", Find("vhd.io").Unit);
        Assert.Equal("{block}", Find("vhd.block.allocations").Unit);
    }
}
