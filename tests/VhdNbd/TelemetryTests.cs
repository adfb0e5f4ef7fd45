using System.Collections.Concurrent;
using System.Diagnostics;
using Storage.Tests.VhdNbd.Infrastructure;
using Storage.VhdEngine.Disks;
using Xunit;
using static Storage.Tests.VhdNbd.Infrastructure.RawNbdClient;

namespace Storage.Tests.VhdNbd;

/// <summary>One span per request, with export, command, offset and length; the store's spans are its children.</summary>
[Collection(SerialCollection.Name)]
public sealed class TelemetryTests : IDisposable
{
    private readonly TestDir _dir = new();
    // A host's own span under the same name, current where the server starts.
    private static readonly ActivitySource HostSource = new(VirtualDisk.TelemetryName);
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly ActivityListener _listener;

    public TelemetryTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == VirtualDisk.TelemetryName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _spans.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose()
    {
        _listener.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task Every_request_is_one_span_and_the_image_spans_are_its_children()
    {
        Images.Dynamic(_dir["traced.vhd"]);
        ServerHost host;
        // A span current where the server starts (a host's own) must not become every request's parent.
        using (HostSource.StartActivity("host start"))
            host = await ServerHost.StartAsync(_dir.Path);
        await using (host)
        {
            using var c = Open(host.Port, "traced.vhd");
            Assert.Equal(0u, c.Request(Write, 8192, 4096, new byte[4096], flags: Fua).Error);
            Assert.Equal(0u, c.Request(Read, 8192, 512).Error);
            Assert.Equal(0u, c.Request(BlockStatus, 0, 1 << 20).Error);
            Assert.Equal(22u, c.Request(Read, 8 << 20, 512).Error);
        }
        var nbd = _spans.Where(s => s.OperationName.StartsWith("nbd.", StringComparison.Ordinal) && (string?)s.GetTagItem("nbd.export") == "traced.vhd").ToList();
        Assert.Equal(["nbd.write", "nbd.read", "nbd.block_status", "nbd.read"], nbd.OrderBy(s => s.StartTimeUtc).Select(s => s.OperationName));
        var write = nbd.Single(s => s.OperationName == "nbd.write");
        Assert.Equal(ActivityKind.Server, write.Kind);
        Assert.Equal(default, write.ParentSpanId);
        Assert.Equal("write", write.GetTagItem("nbd.command"));
        Assert.Equal(8192L, write.GetTagItem("nbd.offset"));
        Assert.Equal(4096L, write.GetTagItem("nbd.length"));
        // The store's client spans of this request hang under it: the write and, for FUA, the flush.
        var children = _spans.Where(s => s.ParentSpanId == write.SpanId).Select(s => s.OperationName).ToList();
        Assert.Contains("vhd.write", children);
        Assert.Contains("vhd.flush", children);
        var status = nbd.Single(s => s.OperationName == "nbd.block_status");
        Assert.Contains(_spans, s => s.ParentSpanId == status.SpanId && s.OperationName == "vhd.allocation");
        var failed = nbd.Where(s => s.OperationName == "nbd.read").OrderBy(s => s.StartTimeUtc).Last();
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
        Assert.Equal("Invalid", failed.GetTagItem("nbd.error"));
        Assert.Contains("outside export 'traced.vhd'", failed.StatusDescription);
    }
}
