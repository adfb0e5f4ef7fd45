using Akka.Configuration;
using Storage.FaultInjection;
using Storage.VhdEngine;
using Storage.VhdActors;
using Storage.VhdEngine.Disks;
using Xunit;
using Xunit.Abstractions;

namespace Storage.Tests.Actors;

/// <summary>The facade: IDiskStore, IDisk and VirtualDiskStream over a manager in a TestKit system.</summary>
public sealed class DiskStoreSpecs : Akka.TestKit.Xunit2.TestKit
{
    public DiskStoreSpecs(ITestOutputHelper output)
        : base(ConfigurationFactory.ParseString(Fixtures.Hocon), nameof(DiskStoreSpecs), output)
    {
    }

    [Fact]
    public async Task Create_write_read_flush_and_dispose_closes_the_image()
    {
        var fs = Fixtures.NewFs();
        // The TestKit system has no vhd config: Start adds the defaults as a fallback.
        var store = DiskStore.Start(Sys, Fixtures.Options(fs));
        var data = Fixtures.Bytes(10_000, 2);
        long length;
        await using (var disk = await store.CreateAsync("/vhd/../vhd/a.vhd", Fixtures.Small()))
        {
            Assert.Equal("/vhd/a.vhd", disk.Path);
            length = disk.Length;
            await disk.WriteAsync(1_000_000, data);
            var back = new byte[data.Length];
            Assert.Equal(data.Length, await disk.ReadAsync(1_000_000, back));
            Assert.Equal(data, back);
            // Reads stop at the end of the disk, like a stream.
            Assert.Equal(10, await disk.ReadAsync(length - 10, new byte[100]));
            Assert.Equal(0, await disk.ReadAsync(length, new byte[100]));
            await Assert.ThrowsAnyAsync<ArgumentOutOfRangeException>(() => disk.WriteAsync(length - 1, new byte[2]));
        }
        // Disposing the last handle flushed and closed: the file opens read-write elsewhere.
        using var direct = VirtualDisk.Open(fs, "/vhd/a.vhd", FileAccess.ReadWrite);
        var again = new byte[data.Length];
        direct.Read(1_000_000, again);
        Assert.Equal(data, again);
    }

    [Fact]
    public async Task Read_only_handles_refuse_writes_and_cancelled_calls_throw()
    {
        var fs = Fixtures.NewFs();
        Fixtures.CreateImage(fs, Fixtures.P("a.vhd"));
        var store = DiskStore.Start(Sys, Fixtures.Options(fs));
        await using var disk = await store.OpenAsync(Fixtures.P("a.vhd"), FileAccess.Read);
        Assert.False(disk.CanWrite);
        await Assert.ThrowsAsync<NotSupportedException>(() => disk.WriteAsync(0, new byte[1]));
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => disk.ReadAsync(0, new byte[1], cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.OpenAsync(Fixtures.P("a.vhd"), FileAccess.Read, cts.Token));
        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => store.OpenAsync(Fixtures.P("missing.vhd")));
        Assert.Contains("no such image", error.Message);
    }

    [Fact]
    public async Task An_injected_io_error_surfaces_as_VhdIOException_and_the_disk_keeps_working()
    {
        var fs = new FaultFileSystem(Fixtures.NewFs());
        var store = DiskStore.Start(Sys, Fixtures.Options(fs));
        await using var disk = await store.CreateAsync(Fixtures.P("a.vhd"), Fixtures.Small());
        await disk.WriteAsync(0, new byte[] { 1 });
        await disk.FlushAsync();
        fs.Plan = new FaultPlan().FailAt(0);
        await Assert.ThrowsAsync<VhdIOException>(() => disk.WriteAsync(2 << 20, new byte[] { 2 }));
        var one = new byte[1];
        await disk.ReadAsync(0, one);
        Assert.Equal(1, one[0]);
        await disk.WriteAsync(2 << 20, new byte[] { 2 });
        await disk.ReadAsync(2 << 20, one);
        Assert.Equal(2, one[0]);
    }

    [Fact]
    public async Task Snapshot_freezes_the_parent_and_commit_merges_the_child_back()
    {
        var fs = Fixtures.NewFs();
        var store = DiskStore.Start(Sys, Fixtures.Options(fs));
        string basePath = Fixtures.P("base.vhd"), childPath = Fixtures.P("child.vhd");
        await using var parent = await store.CreateAsync(basePath, Fixtures.Small());
        await parent.WriteAsync(0, new byte[] { 1, 1, 1 });

        await store.SnapshotAsync(basePath, childPath);
        // The open handle on the parent still reads (flushed by the snapshot) but cannot write.
        var three = new byte[3];
        await parent.ReadAsync(0, three);
        Assert.Equal(new byte[] { 1, 1, 1 }, three);
        Assert.False(parent.CanWrite);
        var frozen = await Assert.ThrowsAsync<NotSupportedException>(() => parent.WriteAsync(0, new byte[] { 9 }));
        Assert.Contains("frozen parent", frozen.Message, StringComparison.Ordinal);

        await using (var child = await store.OpenAsync(childPath))
        {
            Assert.Equal([childPath, basePath], child.Chain);
            await child.WriteAsync(1, new byte[] { 2 });
            await child.ReadAsync(0, three);
            Assert.Equal(new byte[] { 1, 2, 1 }, three);
        }
        await parent.ReadAsync(0, three);
        Assert.Equal(new byte[] { 1, 1, 1 }, three);

        long copied = await store.CommitAsync(childPath);
        Assert.True(copied > 0);
        Assert.False(fs.File.Exists(childPath));
        await parent.ReadAsync(0, three);
        Assert.Equal(new byte[] { 1, 2, 1 }, three);
        await Assert.ThrowsAsync<VhdException>(() => store.CommitAsync(basePath));
    }

    [Fact]
    public async Task Many_concurrent_writes_through_a_small_in_flight_limit_all_land()
    {
        var fs = Fixtures.NewFs();
        var store = DiskStore.Start(Sys, Fixtures.Options(fs) with { MaxInFlightPerImage = 2 });
        await using var disk = await store.CreateAsync(Fixtures.P("a.vhd"), Fixtures.Small());
        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => disk.WriteAsync(i * 512L, new byte[] { (byte)i })));
        await disk.FlushAsync();
        var b = new byte[1];
        for (int i = 0; i < 200; i += 37)
        {
            await disk.ReadAsync(i * 512L, b);
            Assert.Equal((byte)i, b[0]);
        }
    }

    [Fact]
    public async Task The_stream_adapter_seeks_reads_and_writes()
    {
        var fs = Fixtures.NewFs();
        var store = DiskStore.Start(Sys, Fixtures.Options(fs));
        await using var disk = await store.CreateAsync(Fixtures.P("a.vhd"), Fixtures.Small());
        await using var stream = new VirtualDiskStream(disk, leaveOpen: true);
        Assert.True(stream.CanSeek && stream.CanRead && stream.CanWrite);
        Assert.Equal(disk.Length, stream.Length);
        stream.Seek(-4, SeekOrigin.End);
        stream.Write([1, 2, 3, 4]);
        Assert.Equal(disk.Length, stream.Position);
        Assert.Equal(0, stream.Read(new byte[4]));
        stream.Position = disk.Length - 4;
        var four = new byte[4];
        await stream.ReadExactlyAsync(four);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, four);
        stream.Flush();
        Assert.Throws<NotSupportedException>(() => stream.SetLength(10));
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => stream.Write([5]));
    }
}
