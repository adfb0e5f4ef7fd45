using System.Diagnostics;
using System.Net;
using Akka.Cluster;
using Storage.Tests.VhdNbd.Infrastructure;
using Storage.VhdActors;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Storage.VhdNbd;
using Xunit;

namespace Storage.Tests.Cluster;

/// <summary>
/// Three nodes in one process on loopback ports (DESIGN.md §12): requests through one node's store
/// reach entities on another over the wire, errors arrive as the same exceptions, and a node that
/// leaves hands its images over with every flushed write.
/// </summary>
public sealed class MultiNodeTests : IAsyncLifetime
{
    private static readonly System.IO.Abstractions.FileSystem Fs = new();

    private readonly string _dir = Directory.CreateTempSubdirectory("vhd-cluster-").FullName;
    private InProcessNode _a = null!, _b = null!, _c = null!;

    public async Task InitializeAsync()
    {
        _a = InProcessNode.Start(null);
        _b = InProcessNode.Start(_a.Address);
        _c = InProcessNode.Start(_a.Address);
        await InProcessNode.AwaitUpAsync(3, _a, _b, _c);
    }

    public async Task DisposeAsync()
    {
        await Task.WhenAll(_c.DisposeAsync().AsTask(), _b.DisposeAsync().AsTask(), _a.DisposeAsync().AsTask());
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Writes_through_one_node_reach_images_owned_by_another_and_survive_its_leaving()
    {
        string[] paths = [.. Enumerable.Range(0, 6).Select(i => Path.Combine(_dir, $"img{i}.vhd"))];
        var disks = new List<IDisk>();
        foreach (string path in paths)
        {
            var disk = await _a.Store.CreateAsync(path, new VhdCreateOptions { Size = 8 << 20, BlockSize = 512 * 1024 });
            await disk.WriteAsync(1 << 20, Pattern(path, 70000));
            await disk.FlushAsync();
            disks.Add(disk);
        }
        var onB = (await _b.HostedImagesAsync()).Intersect(paths).ToList();
        Assert.NotEmpty(onB);
        // B holds each of its images for writing: no one else (here: the engine in this process) can.
        foreach (string path in onB)
            Assert.Throws<VhdImageInUseException>(() => VirtualDisk.Open(Fs, path, FileAccess.ReadWrite).Dispose());

        for (int i = 0; i < paths.Length; i++)
            await AssertReadsBack(disks[i], paths[i]);

        // B leaves: its shards move; each image is flushed, closed and unlocked there, reopened on a survivor.
        await _b.Cluster.LeaveAsync();
        await WaitAsync(() => _a.Cluster.State.Members.All(m => m.Address != _b.Address), "B to leave");
        for (int i = 0; i < paths.Length; i++)
        {
            await disks[i].WriteAsync(3 << 20, Pattern(paths[i] + "after", 5000));
            await AssertReadsBack(disks[i], paths[i]);
        }
        var survivors = (await _a.HostedImagesAsync()).Union(await _c.HostedImagesAsync());
        Assert.Superset(onB.ToHashSet(), survivors.ToHashSet());
        foreach (var disk in disks) await disk.DisposeAsync();
        foreach (string path in paths)
        {
            using var image = VirtualDisk.Open(Fs, path, FileAccess.Read);
            var back = new byte[5000];
            image.Read(3 << 20, back);
            Assert.Equal(Pattern(path + "after", 5000), back);
        }
    }

    [Fact]
    public async Task An_error_on_the_owning_node_arrives_as_the_same_exception_a_local_store_throws()
    {
        string path = Path.Combine(_dir, "taken.vhd");
        await using var disk = await _a.Store.CreateAsync(path, new VhdCreateOptions { Size = 4 << 20, BlockSize = 512 * 1024 });
        // Every node answers as a local store would: at least two of the three ask across the wire.
        foreach (var node in new[] { _a, _b, _c })
        {
            var e = await Assert.ThrowsAsync<VhdException>(() => node.Store.CreateAsync(path, new VhdCreateOptions { Size = 4 << 20 }));
            Assert.Equal($"{path}: already exists (it is open)", e.Message);
        }
        // Another writer holds an image: the owning node's refusal arrives with its path and holder.
        string held = Path.Combine(_dir, "held.vhd");
        using (VirtualDisk.Create(Fs, held, new VhdCreateOptions { Size = 4 << 20 })) { }
        using (VirtualDisk.Open(Fs, held, FileAccess.ReadWrite))
        {
            foreach (var node in new[] { _a, _b, _c })
            {
                var inUse = await Assert.ThrowsAsync<VhdImageInUseException>(() => node.Store.OpenAsync(held));
                Assert.Equal((held, true), (inUse.Path, inUse.ForWriting));
            }
        }
        string missing = Path.Combine(_dir, "missing.vhd");
        var local = await Record(() => VirtualDisk.Open(Fs, missing, FileAccess.ReadWrite));
        foreach (var node in new[] { _a, _b, _c })
        {
            var remote = await Record(() => node.Store.OpenAsync(missing));
            Assert.Equal((local.GetType(), local.Message), (remote.GetType(), remote.Message));
        }
    }

    [Fact]
    public async Task An_NBD_request_served_on_one_node_and_executed_on_another_is_one_trace()
    {
        string[] names = [.. Enumerable.Range(0, 6).Select(i => $"t{i}.vhd")];
        foreach (string name in names)
            using (VirtualDisk.Create(Fs, Path.Combine(_dir, name), new VhdCreateOptions { Size = 4 << 20, BlockSize = 512 * 1024 })) { }
        var catalog = await NbdExportCatalog.ScanAsync(_a.Store, _dir, readOnly: false);
        await using var server = NbdServer.Start(_a.Store, catalog, new NbdServerOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0) });
        var clients = names.ToDictionary(n => n, n => RawNbdClient.Open(server.EndPoint.Port, n));
        try
        {
            // Each connection opened its image: find one whose entity lives on another node than A.
            var remote = (await _b.HostedImagesAsync()).Union(await _c.HostedImagesAsync()).ToHashSet();
            string name = names.First(n => remote.Contains(Path.Combine(_dir, n)));
            string path = Path.Combine(_dir, name);
            var spans = new List<Activity>();
            using var listener = new ActivityListener
            {
                ShouldListenTo = s => s.Name == "Storage.Vhd",
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = a => { lock (spans) spans.Add(a); },
            };
            ActivitySource.AddActivityListener(listener);
            Assert.Equal(0u, clients[name].Request(RawNbdClient.Write, 4096, 512, new byte[512]).Error);

            List<Activity> trace;
            lock (spans) trace = [.. spans];
            var nbd = Assert.Single(trace, s => s.OperationName == "nbd.write" && s.Kind == ActivityKind.Server);
            var client = Assert.Single(trace, s => s.OperationName == "vhd.write" && s.Kind == ActivityKind.Client && s.ParentSpanId == nbd.SpanId);
            var owner = Assert.Single(trace, s => s.OperationName == "vhd.write" && s.Kind == ActivityKind.Server && s.TraceId == nbd.TraceId);
            // The owner's span continues the trace from the other node: its parent came over the wire.
            Assert.Equal((nbd.TraceId, client.SpanId, true), (owner.TraceId, owner.ParentSpanId, owner.HasRemoteParent));
            Assert.Equal(path, owner.GetTagItem("vhd.image"));
        }
        finally
        {
            foreach (var c in clients.Values) c.Dispose();
        }
    }

    private static async Task<Exception> Record(Func<object> action)
    {
        try
        {
            if (action() is Task task) await task;
        }
        catch (Exception e)
        {
            return e;
        }
        throw new Xunit.Sdk.XunitException("no exception");
    }

    private static async Task AssertReadsBack(IDisk disk, string path)
    {
        var back = new byte[70000];
        await disk.ReadAsync(1 << 20, back);
        Assert.Equal(Pattern(path, 70000), back);
    }

    private static async Task WaitAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"waited 30 s for {what}");
            await Task.Delay(100);
        }
    }

    internal static byte[] Pattern(string seed, int length)
    {
        var random = new Random(seed.GetHashCode(StringComparison.Ordinal) & 0x7fffffff);
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
