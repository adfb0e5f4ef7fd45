using System.Diagnostics;
using System.IO.Abstractions;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Maintenance;
using Xunit;
using Xunit.Abstractions;

namespace Storage.Tests.Cluster;

/// <summary>
/// Three `vhd serve --cluster` processes on loopback sharing one directory (DESIGN.md §12): clients
/// write through node C to images the other nodes own; the owner A, the oldest node and so the host of
/// the shard coordinator, is killed (SIGKILL), then the owner B leaves (SIGTERM), both under load. After
/// each, every flushed write reads back, every image checks clean, and at no moment did two processes
/// hold one image for writing (their OFD write locks, read from /proc throughout). What the clients saw
/// is printed (the README of src/VhdCluster records it).
/// </summary>
[Trait("Category", "Cluster")]
public sealed class ClusterProcessTests(ITestOutputHelper output) : IDisposable
{
    private const int Images = 9;
    private const long Size = 256 << 20;
    private static readonly FileSystem Fs = new();

    private readonly string _dir = Directory.CreateTempSubdirectory("vhd-cluster-proc-").FullName;
    private readonly List<ClusterServeProcess> _nodes = [];

    public void Dispose()
    {
        foreach (var node in _nodes) node.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void Flushed_writes_survive_a_killed_owner_and_a_leaving_owner_with_one_writer_per_image_throughout()
    {
        var inodes = CreateImages();
        // Started together, serving once all three are up: each takes its share of the images. Members
        // that come up together are ordered by address, so A (the lowest port) is the oldest and hosts the
        // shard coordinator: its kill moves the coordinator as well as A's images.
        int[] ports = [.. Enumerable.Range(0, 3).Select(_ => ClusterServeProcess.FreePort()).Order()];
        var a = Start("A", ports[0], null);
        var b = Start("B", ports[1], ports[0]);
        var c = Start("C", ports[2], ports[0]);
        _nodes.ForEach(n => n.AwaitListening());
        using var watcher = new LockWatcher(_nodes, inodes.Values.ToHashSet());
        using var stop = new CancellationTokenSource();
        var loads = inodes.Keys.Select(name => new ImageLoad(name, c.NbdPort, Size)).ToList();
        var threads = loads.Select(l => new Thread(() => l.Run(stop.Token)) { IsBackground = true }).ToList();
        threads.ForEach(t => t.Start());
        Thread.Sleep(3000);

        var ownedByA = Owned(a, inodes);
        Assert.NotEmpty(ownedByA);
        LargeRequestsCrossTheHop(c, ownedByA.Order().First());
        var killedAt = DateTime.UtcNow;
        a.Kill();
        var killServed = AwaitServed(loads, ownedByA, killedAt);
        Report("SIGKILL of A (the coordinator's node)", loads, ownedByA, killedAt, killServed);
        // A request the lost owner never answered fails with an NBD error; the client's connection to C goes on.
        Assert.All(loads.SelectMany(l => l.FailuresSince(killedAt)), f => Assert.Matches("^(write|flush): NBD error 5 ", f.What));

        var ownedByB = Owned(b, inodes);
        Assert.NotEmpty(ownedByB);
        var leftAt = DateTime.UtcNow;
        Assert.Equal(0, b.Terminate());
        var leaveServed = AwaitServed(loads, ownedByB, leftAt);
        Report("SIGTERM of B", loads, ownedByB, leftAt, leaveServed);
        // No request to an image that moved gracefully failed.
        Assert.Empty(loads.Where(l => ownedByB.Contains(l.Export)).SelectMany(l => l.FailuresSince(leftAt)));

        stop.Cancel();
        threads.ForEach(t => Assert.True(t.Join(TimeSpan.FromSeconds(60)), "a load did not finish"));
        Assert.Equal(0, c.Terminate());
        watcher.Stop();

        Assert.Empty(watcher.Violations);
        Assert.True(watcher.Samples > 10, $"the lock watcher sampled only {watcher.Samples} times");
        foreach (var node in _nodes) Assert.DoesNotContain("in use", node.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(loads.SelectMany(l => l.FailuresSince(DateTime.MinValue)), f => f.What.Contains("in use", StringComparison.OrdinalIgnoreCase));
        foreach (var load in loads) VerifyImage(load);
    }

    /// <summary>A 1 MiB write and read through A of an image B owns: one message each way, past Akka's default frame size.</summary>
    private static void LargeRequestsCrossTheHop(ClusterServeProcess via, string export)
    {
        var data = new byte[1 << 20];
        new Random(1).NextBytes(data);
        using var client = Storage.Tests.VhdNbd.Infrastructure.RawNbdClient.Open(via.NbdPort, export);
        const ulong offset = 200 << 20; // beyond what the load writes
        Assert.Equal(0u, client.Request(Storage.Tests.VhdNbd.Infrastructure.RawNbdClient.Write, offset, (uint)data.Length, data).Error);
        var read = client.Request(Storage.Tests.VhdNbd.Infrastructure.RawNbdClient.Read, offset, (uint)data.Length);
        Assert.Equal(0u, read.Error);
        Assert.True(read.Data.AsSpan().SequenceEqual(data), "a 1 MiB read through the hop did not return the 1 MiB written");
    }

    private Dictionary<string, long> CreateImages()
    {
        var inodes = new Dictionary<string, long>();
        for (int i = 0; i < Images; i++)
        {
            string name = $"disk{i}.vhd", path = Path.Combine(_dir, name);
            using (VirtualDisk.Create(Fs, path, new VhdCreateOptions { Size = Size })) { }
            inodes[name] = Inode(path);
        }
        return inodes;
    }

    private ClusterServeProcess Start(string name, int port, int? seed)
    {
        var node = ClusterServeProcess.Start(name, _dir, port, seed, members: 3);
        _nodes.Add(node);
        return node;
    }

    private static HashSet<string> Owned(ClusterServeProcess node, Dictionary<string, long> inodes)
    {
        var held = node.WriteLockedInodes();
        return [.. inodes.Where(i => held.Contains(i.Value)).Select(i => i.Key)];
    }

    /// <summary>
    /// Waits until every image of <paramref name="moved"/> has served a request sent after
    /// <paramref name="since"/>, then a little more; returns when the last of them was served.
    /// </summary>
    private DateTime AwaitServed(List<ImageLoad> loads, HashSet<string> moved, DateTime since)
    {
        var deadline = Stopwatch.StartNew();
        var movedLoads = loads.Where(l => moved.Contains(l.Export)).ToList();
        while (movedLoads.Any(l => l.ServedAfter(since) is null))
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(90))
                throw new TimeoutException($"images {string.Join(", ", moved)} not served again within 90 s; the nodes said:\n"
                    + string.Join("\n", _nodes.Select(n => $"{n.Name}: {n.Stderr[Math.Max(0, n.Stderr.Length - 4000)..]}")));
            Thread.Sleep(100);
        }
        Thread.Sleep(2000);
        return movedLoads.Max(l => l.ServedAfter(since)!.Value);
    }

    private void Report(string what, List<ImageLoad> loads, HashSet<string> moved, DateTime at, DateTime served)
    {
        var window = loads.SelectMany(l => l.FailuresSince(at).Select(f => (l.Export, f.What))).ToList();
        var gap = loads.Where(l => moved.Contains(l.Export)).Max(l => l.LongestGap(at, served));
        var others = loads.Where(l => !moved.Contains(l.Export)).Select(l => l.LongestGap(at, served)).DefaultIfEmpty().Max();
        output.WriteLine($"{what}: {moved.Count} of {loads.Count} images moved ({string.Join(", ", moved.Order())}); "
            + $"{window.Count} requests failed; all served again {(served - at).TotalSeconds:F1} s after; longest gap {gap.TotalSeconds:F1} s on a moved image, {others.TotalSeconds:F1} s on the others");
        foreach (var group in window.GroupBy(f => f.What)) output.WriteLine($"  {group.Count()} x {group.Key}");
    }

    private void VerifyImage(ImageLoad load)
    {
        string path = Path.Combine(_dir, load.Export);
        var report = VhdMaintenance.Check(Fs, path);
        Assert.True(report.IsClean, $"{load.Export}: {string.Join("; ", report.Errors)}");
        using var disk = VirtualDisk.Open(Fs, path, FileAccess.Read);
        var back = new byte[ImageLoad.SlotSize];
        foreach (int slot in load.Flushed)
        {
            disk.Read((long)slot * ImageLoad.SlotSize, back);
            Assert.True(back.AsSpan().SequenceEqual(ImageLoad.Pattern(load.Export, slot)), $"{load.Export}: flushed slot {slot} does not read back");
        }
        output.WriteLine($"{load.Export}: {load.Flushed.Count} flushed writes read back; check clean");
        Assert.NotEmpty(load.Flushed);
    }

    private static long Inode(string path)
    {
        using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", "%i", path]) { RedirectStandardOutput = true })!;
        string text = stat.StandardOutput.ReadToEnd();
        stat.WaitForExit();
        return long.Parse(text.Trim());
    }
}
