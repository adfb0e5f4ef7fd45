using System.Diagnostics;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Storage.VhdActors;
using Storage.VhdActors.Messages;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Maintenance;
using Xunit;

namespace Storage.Tests.Cluster;

/// <summary>The store's messages on the wire (DESIGN.md §12): every request, reply and failure round-trips through our serializer.</summary>
public sealed class WireSerializerTests : IDisposable
{
    private const int SerializerId = 5617;

    // The context a message from another node carries: parsed from a traceparent, so remote.
    private static readonly ActivityContext Trace = new(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, "vendor=1", isRemote: true);

    private readonly ActorSystem _system = ActorSystem.Create("wire", ImageActors.WireConfig);

    public void Dispose() => _system.Dispose();

    private static readonly object[] RequestSamples =
    [
        new OpenImage("/vhd/a.vhd", FileAccess.Read, Trace),
        new OpenImage("/vhd/a.vhd", FileAccess.ReadWrite),
        new CreateImage("/vhd/b.vhd", new VhdCreateOptions { Type = VhdDiskType.Fixed, Size = 3 << 20, BlockSize = 1 << 20, ExactSize = true, UniqueId = Guid.NewGuid(), Timestamp = new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.Zero) }, Trace),
        new CreateImage("/vhd/b.vhd", new VhdCreateOptions { Size = 1 << 30 }),
        new CloseImage("/vhd/a.vhd", Trace),
        new ReadImage("/vhd/a.vhd", 1L << 40, 65536, Trace),
        new DiscardImage("/vhd/a.vhd", 4096, 1L << 33, Trace),
        new FlushImage("/vhd/ü ñ.vhd", Trace),
        new QueryAllocation("/vhd/a.vhd", 512, 1 << 20, Trace),
        new QueryInfo("/vhd/a.vhd", Trace),
        new LeaseImage("/vhd/a.vhd", Trace),
        new SnapshotImage("/vhd/a-1.vhd", "/vhd/a.vhd", Trace),
        new CommitImage("/vhd/a-1.vhd", "/vhd/a.vhd", KeepChild: true, Trace, Force: true),
        new CompactImage("/vhd/a.vhd", Force: true, Trace),
        new ResizeImage("/vhd/a.vhd", 8L << 30, AllowShrink: true, Force: false, Trace),
        new DeleteImage("/vhd/a.vhd", Trace),
        new FreezeImage("/vhd/a.vhd"),
        new RetireImage("/vhd/a.vhd"),
    ];

    private static readonly object[] ReplySamples =
    [
        ImageAck.Instance,
        new ImageCommitted(123456789),
        new ImageResized(4L << 30),
        new CompactResult(10 << 20, 3 << 20, 5, 2),
        new DiskAllocation(1 << 21, true),
        new DiskAllocation(512, false),
    ];

    private static readonly Exception[] FailureSamples =
    [
        new VhdException("/vhd/a.vhd: the image is not open"),
        new VhdException("/vhd/a.vhd: not deleted", new IOException("inner cause")),
        new VhdFormatException("/vhd/a.vhd", "block size", "3000 is not a power of two"),
        new VhdIOException("/vhd/a.vhd: No space left on device", new IOException("No space left on device"), diskUsable: false),
        new VhdIOException("/vhd/a.vhd: EIO", new IOException("EIO"), diskUsable: true),
        new VhdImageInUseException("/vhd/a.vhd", forWriting: true, "process 1234 (qemu-io), for writing"),
        new VhdImageInUseException("/vhd/a.vhd", forWriting: false, holder: null),
        new IOException("/vhd/a.vhd: the image is moving to another node; retry"),
        new FileNotFoundException("/vhd/a.vhd: no such image", "/vhd/a.vhd"),
        new DirectoryNotFoundException("/vhd/x: no such directory"),
        new ArgumentException("/vhd/a.vhd: bad", "offset"),
        new ArgumentOutOfRangeException("offset", 4194303L, "/vhd/a.vhd: a write of 2 bytes at 4194303 is outside the disk"),
        new ArgumentOutOfRangeException("length", "/vhd/a.vhd: a read at a negative offset"),
        new ArgumentNullException("path", "path is null"),
        new NotSupportedException("/vhd/a.vhd: the handle was opened read-only"),
        new ObjectDisposedException("IDisk", "/vhd/a.vhd: the disk handle was disposed"),
        new OperationCanceledException("/vhd/a.vhd: the operation was cancelled"),
        new TimeoutException("/vhd/a.vhd: no reply"),
        new InvalidOperationException("/vhd/a.vhd: unexpected reply"),
        new UnauthorizedAccessException("/vhd/a.vhd: permission denied"),
    ];

    public static TheoryData<object> Requests() => [.. RequestSamples];

    public static TheoryData<object> Replies() => [.. ReplySamples];

    public static TheoryData<Exception> Failures() => [.. FailureSamples];

    [Fact]
    public void Every_request_and_reply_type_is_bound_to_the_stores_serializer()
    {
        var requests = typeof(IImageRequest).Assembly.GetTypes().Where(t => typeof(IImageRequest).IsAssignableFrom(t) && t.IsClass && !t.IsAbstract).ToList();
        Assert.NotEmpty(requests);
        Type[] replies = [typeof(ImageAck), typeof(ImageData), typeof(ImageOpened), typeof(ImageCommitted), typeof(ImageResized), typeof(CompactResult), typeof(DiskInfo), typeof(DiskAllocation), typeof(ImageRequestFailed)];
        foreach (var type in requests.Concat(replies))
            Assert.True(_system.Serialization.FindSerializerForType(type).Identifier == SerializerId, $"{type.Name} is not bound to the store's serializer");
        Assert.True(ImageActors.HasWireSerializer(_system));
        using var bare = ActorSystem.Create("bare");
        Assert.False(ImageActors.HasWireSerializer(bare));
    }

    [Theory]
    [MemberData(nameof(Requests))]
    [MemberData(nameof(Replies))]
    public void A_message_round_trips(object message) => Assert.Equal(message, RoundTrip(message));

    [Fact]
    public void A_write_carries_its_bytes_and_trace_and_no_token()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        byte[] data = Enumerable.Range(0, 70000).Select(i => (byte)(i * 7)).ToArray();
        var back = Assert.IsType<WriteImage>(RoundTrip(new WriteImage("/vhd/a.vhd", 1L << 35, data, Trace, cancelled.Token)));
        Assert.Equal(("/vhd/a.vhd", 1L << 35, Trace), (back.Path, back.Offset, back.TraceContext));
        Assert.Equal(data, back.Data.ToArray());
        // The token stays with the caller: on the other node the request has none.
        Assert.False(back.Cancellation.CanBeCanceled);
    }

    [Fact]
    public void A_local_trace_context_arrives_as_the_same_trace_and_parent_span()
    {
        using var activity = new Activity("caller").SetIdFormat(ActivityIdFormat.W3C).Start();
        activity.ActivityTraceFlags = ActivityTraceFlags.None;
        var back = Assert.IsType<FlushImage>(RoundTrip(new FlushImage("/vhd/a.vhd", activity.Context)));
        Assert.Equal((activity.TraceId, activity.SpanId, ActivityTraceFlags.None, true), (back.TraceContext.TraceId, back.TraceContext.SpanId, back.TraceContext.TraceFlags, back.TraceContext.IsRemote));
        Assert.Equal(default, Assert.IsType<FlushImage>(RoundTrip(new FlushImage("/vhd/a.vhd"))).TraceContext);
    }

    [Fact]
    public void Read_data_and_open_and_info_replies_round_trip()
    {
        byte[] data = [1, 2, 3, 0, 255];
        Assert.Equal(data, Assert.IsType<ImageData>(RoundTrip(new ImageData(data))).Data);
        Assert.Empty(Assert.IsType<ImageData>(RoundTrip(new ImageData([]))).Data);
        var opened = Assert.IsType<ImageOpened>(RoundTrip(new ImageOpened("/vhd/a-1.vhd", 1 << 30, true, ["/vhd/a-1.vhd", "/vhd/a.vhd"])));
        Assert.Equal(("/vhd/a-1.vhd", 1L << 30, true), (opened.Path, opened.Length, opened.Writable));
        Assert.Equal(["/vhd/a-1.vhd", "/vhd/a.vhd"], opened.Chain);
        var info = Assert.IsType<DiskInfo>(RoundTrip(new DiskInfo("/vhd/a.vhd", 1 << 30, VhdDiskType.Differencing, ["/vhd/a.vhd", "/vhd/p.vhd"], 1 << 21, 4 << 21, 9 << 20)));
        Assert.Equal(("/vhd/a.vhd", 1L << 30, VhdDiskType.Differencing, 1 << 21, 4L << 21, 9L << 20), (info.Path, info.Length, info.Type, info.BlockSize, info.AllocatedBytes, info.FileLength));
        Assert.Equal(["/vhd/a.vhd", "/vhd/p.vhd"], info.Chain);
    }

    [Theory]
    [MemberData(nameof(Failures))]
    public void A_failure_arrives_as_the_same_exception(Exception error)
    {
        var failure = Assert.IsType<Status.Failure>(RoundTrip(new ImageRequestFailed(error)));
        var back = failure.Cause;
        Assert.Equal(error.GetType(), back.GetType());
        Assert.Equal(error.Message, back.Message);
        Assert.Equal(error.InnerException?.GetType(), back.InnerException?.GetType());
        Assert.Equal(error.InnerException?.Message, back.InnerException?.Message);
        switch (error)
        {
            case VhdFormatException f: Assert.Equal((f.Path, f.Field), (((VhdFormatException)back).Path, ((VhdFormatException)back).Field)); break;
            case VhdIOException io: Assert.Equal(io.DiskUsable, ((VhdIOException)back).DiskUsable); break;
            case VhdImageInUseException u:
                var b = (VhdImageInUseException)back;
                Assert.Equal((u.Path, u.ForWriting, u.Holder), (b.Path, b.ForWriting, b.Holder));
                break;
            case ArgumentException a: Assert.Equal(a.ParamName, ((ArgumentException)back).ParamName); break;
            case ObjectDisposedException d: Assert.Equal(d.ObjectName, ((ObjectDisposedException)back).ObjectName); break;
            case FileNotFoundException n: Assert.Equal(n.FileName, ((FileNotFoundException)back).FileName); break;
        }
    }

    [Fact]
    public void A_thrown_failure_keeps_its_stack_and_an_unknown_type_arrives_as_a_VhdException_naming_it()
    {
        Exception thrown;
        try { ThrowDeep(); throw new InvalidOperationException("not reached"); }
        catch (VhdException e) { thrown = e; }
        var back = Assert.IsType<Status.Failure>(RoundTrip(new ImageRequestFailed(thrown))).Cause;
        Assert.Contains(nameof(ThrowDeep), back.StackTrace);

        var other = Assert.IsType<Status.Failure>(RoundTrip(new ImageRequestFailed(new KeyNotFoundException("/vhd/a.vhd: a bug")))).Cause;
        Assert.IsType<VhdException>(other);
        Assert.Equal("System.Collections.Generic.KeyNotFoundException: /vhd/a.vhd: a bug", other.Message);
    }

    [Fact]
    public void A_cancelled_caller_stays_cancelled_and_a_deep_chain_of_inner_exceptions_is_cut()
    {
        Exception deep = new IOException("root");
        for (int i = 0; i < 20; i++) deep = new VhdException($"level {i}", deep);
        var back = Assert.IsType<Status.Failure>(RoundTrip(new ImageRequestFailed(deep))).Cause;
        int depth = 0;
        for (var e = back; e is not null; e = e.InnerException) depth++;
        Assert.Equal(9, depth);
        Assert.Equal("level 19", back.Message);
    }

    [Fact]
    public void Every_truncation_of_every_message_is_refused_with_a_serialization_error()
    {
        var serializer = Serializer();
        object[] samples = [.. RequestSamples, .. ReplySamples, new WriteImage("/vhd/a.vhd", 9, new byte[] { 1, 2 }, Trace),
            new ImageOpened("/vhd/a.vhd", 5, false, ["/vhd/a.vhd"]), new DiskInfo("/vhd/a.vhd", 1, VhdDiskType.Fixed, ["/vhd/a.vhd"], 0, 1, 2),
            .. FailureSamples.Select(f => new ImageRequestFailed(f))];
        foreach (var message in samples)
        {
            byte[] bytes = serializer.ToBinary(message);
            string manifest = serializer.Manifest(message);
            // A write's data is the rest of the message: any cut inside it is a shorter write, not an error.
            int shortest = message is WriteImage w ? bytes.Length - w.Data.Length : bytes.Length;
            for (int cut = 0; cut < shortest; cut++)
                Assert.Throws<SerializationException>(() => serializer.FromBinary(bytes[..cut], manifest));
            if (message is not WriteImage) Assert.Throws<SerializationException>(() => serializer.FromBinary([.. bytes, 0], manifest));
        }
    }

    [Fact]
    public void Hostile_fields_are_refused_naming_the_message_and_the_field()
    {
        var serializer = Serializer();
        var e = Assert.Throws<SerializationException>(() => serializer.FromBinary(Rewrite(new ReadImage("/a", 0, 1), w => { w.Write("/a"); w.Write(-5L); w.Write(1); w.Write(""); }), "read"));
        Assert.Contains("'read'", e.Message);
        Assert.Contains("offset: -5 is negative", e.Message);
        e = Assert.Throws<SerializationException>(() => serializer.FromBinary(Rewrite(null, w => { w.Write("/a"); w.Write(7); w.Write(""); }), "open"));
        Assert.Contains("access: 7 is not a FileAccess", e.Message);
        e = Assert.Throws<SerializationException>(() => serializer.FromBinary(Rewrite(null, w => { w.Write("/a"); w.Write("00-bad-trace-01"); w.Write(false); }), "flush"));
        Assert.Contains("traceparent: '00-bad-trace-01'", e.Message);
        e = Assert.Throws<SerializationException>(() => serializer.FromBinary(Rewrite(null, w => { w.Write("/a"); w.Write(1L); w.Write(true); w.Write(int.MaxValue); }), "opened"));
        Assert.Contains("list length: 2147483647", e.Message);
        e = Assert.Throws<SerializationException>(() => serializer.FromBinary([1, 2, 3], "no-such"));
        Assert.Contains("'no-such' is not a reply", e.Message);
        Assert.Throws<SerializationException>(() => serializer.ToBinary("not a store message"));
    }

    private static byte[] Rewrite(object? _, Action<BinaryWriter> write)
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream)) write(w);
        return stream.ToArray();
    }

    private static void ThrowDeep() => throw new VhdException("/vhd/a.vhd: deep");

    private SerializerWithStringManifest Serializer() => Assert.IsAssignableFrom<SerializerWithStringManifest>(_system.Serialization.FindSerializerForType(typeof(ReadImage)));

    private object RoundTrip(object message)
    {
        var serializer = _system.Serialization.FindSerializerFor(message);
        Assert.Equal(SerializerId, serializer.Identifier);
        byte[] bytes = serializer.ToBinary(message);
        string manifest = Akka.Serialization.Serialization.ManifestFor(serializer, message);
        return _system.Serialization.Deserialize(bytes, serializer.Identifier, manifest);
    }
}
