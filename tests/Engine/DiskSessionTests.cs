using Storage.FaultInjection;
using Storage.Tests.Engine.Support;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Xunit;

namespace Storage.Tests.Engine;

/// <summary>
/// VirtualDisk's own bookkeeping, counted on the fault file system: every write and discard counts
/// toward the next durable flush's sync (DESIGN.md §4), a failed flush leaves the disk refusing all
/// I/O until reopened, a read-only disk's flush does nothing, and the asynchronous surface reports
/// errors and cancellation in the task.
/// </summary>
public sealed class DiskSessionTests
{
    private const int M = 1 << 20, Block = 512 << 10;
    private const string Path = "/d/a.vhd";

    private static (FaultFileSystem Fs, FaultPlan Plan, VirtualDisk Disk) Create(VhdDiskType type = VhdDiskType.Fixed)
    {
        var plan = new FaultPlan();
        var fs = new FaultFileSystem(Img.NewFs(), plan);
        VirtualDisk.Create(fs, Path, new VhdCreateOptions { Type = type, Size = 4 * M, BlockSize = Block }).Dispose();
        return (fs, plan, VirtualDisk.Open(fs, Path, FileAccess.ReadWrite));
    }

    [Theory]
    [InlineData(VhdDiskType.Fixed)]
    [InlineData(VhdDiskType.Dynamic)]
    public void The_first_flush_after_a_single_write_syncs(VhdDiskType type)
    {
        var (fs, _, d) = Create(type);
        using (d)
        {
            if (type == VhdDiskType.Dynamic) { d.Write(0, new byte[512]); d.Flush(); d.Dispose(); d = VirtualDisk.Open(fs, Path, FileAccess.ReadWrite); }
            Assert.Equal(1, fs.Syncs(() => { d.Write(0, [1]); d.Flush(); }));
        }
    }

    [Fact]
    public void A_write_after_a_sync_makes_the_next_flush_sync_again()
    {
        var (fs, _, d) = Create();
        using (d)
        {
            d.Flush();
            Assert.Equal(0, fs.Syncs(d.Flush));
            Assert.Equal(1, fs.Syncs(() => { d.Write(512, [7]); d.Flush(); }));
        }
    }

    [Fact]
    public void A_discard_after_a_sync_makes_the_next_flush_sync_again()
    {
        var (fs, _, d) = Create();
        using (d)
        {
            d.Write(0, [9]);
            d.Flush();
            Assert.Equal(1, fs.Syncs(() => { d.Discard(0, 512); d.Flush(); }));
            var b = new byte[1];
            d.Read(0, b);
            Assert.Equal(0, b[0]);
        }
    }

    [Fact]
    public void A_single_write_whose_metadata_a_non_durable_flush_wrote_is_synced_by_the_next_durable_flush()
    {
        var (fs, _, d) = Create(VhdDiskType.Dynamic);
        using (d)
        {
            d.Write(0, [1]);
            Assert.Equal(0, fs.Syncs(() => d.Flush(durable: false)));
            Assert.Equal(1, fs.Syncs(d.Flush));
        }
    }

    [Fact]
    public void A_read_only_disks_flush_syncs_nothing()
    {
        var (fs, _, d) = Create();
        d.Dispose();
        using var r = VirtualDisk.Open(fs, Path);
        Assert.Equal(0, fs.Syncs(r.Flush));
    }

    [Fact]
    public void A_failed_flush_leaves_the_disk_refusing_everything_until_reopened()
    {
        var (fs, plan, d) = Create();
        using (d)
        {
            d.Write(0, [5]);
            plan.FailFlushToDiskAt(fs.FlushToDiskCount);
            var e = Assert.Throws<VhdIOException>(d.Flush);
            Assert.False(e.DiskUsable);
            Assert.Contains(Path, e.Message);
            Assert.Contains("must be reopened", e.Message);
            Assert.IsNotType<VhdIOException>(e.InnerException);
            Assert.NotNull(e.InnerException);

            var read = Assert.Throws<VhdIOException>(() => d.Read(0, new byte[1]));
            Assert.False(read.DiskUsable);
            Assert.Contains(Path, read.Message);
            Assert.Contains("a flush failed", read.Message);
            Assert.Contains("reopen the image", read.InnerException!.Message);

            long ops = fs.OperationCount;
            Assert.False(Assert.Throws<VhdIOException>(() => d.Write(0, [6])).DiskUsable);
            Assert.False(Assert.Throws<VhdIOException>(() => d.Discard(0, 512)).DiskUsable);
            Assert.False(Assert.Throws<VhdIOException>(d.Flush).DiskUsable);
            Assert.Equal(ops, fs.OperationCount);
            Assert.False(d.CanWriteInPlace(0, 512));

            using var again = d.Reopen();
            var b = new byte[1];
            again.Read(0, b);
            Assert.Equal(5, b[0]);
        }
    }

    [Fact]
    public void CanWriteInPlace_refuses_a_range_outside_the_disk()
    {
        var (_, _, d) = Create();
        using (d)
        {
            Assert.Equal("offset", Assert.Throws<ArgumentOutOfRangeException>(() => d.CanWriteInPlace(-1, 1)).ParamName);
            Assert.Equal("length", Assert.Throws<ArgumentOutOfRangeException>(() => d.CanWriteInPlace(0, 5 * M)).ParamName);
        }
    }

    [Fact]
    public async Task A_write_that_waited_for_the_lock_while_a_flush_failed_is_refused_and_allocates_nothing()
    {
        // The allocating write passes the unlocked usability check while the flush holds the lock
        // (blocked in its fsync), then the fsync fails: the write must check again once it has the lock.
        using var inFsync = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var fs = new TestFs(handles: false);
        VirtualDisk.Create(fs, Path, new VhdCreateOptions { Type = VhdDiskType.Dynamic, Size = 4 * M, BlockSize = Block }).Dispose();
        using var d = VirtualDisk.Open(fs, Path, FileAccess.ReadWrite);
        d.Write(0, new byte[512]);
        fs.Fault = op =>
        {
            if (op != "fsync") return null;
            inFsync.Set();
            release.Wait();
            return new IOException("fsync failed");
        };
        var flush = Task.Run(() => Record.Exception(d.Flush));
        inFsync.Wait();
        var write = Task.Run(() => Record.Exception(() => d.Write(Block, new byte[512])));
        // Time for the write to reach the lock; the engine must refuse it however far it got.
        await Task.Delay(200);
        release.Set();

        Assert.IsType<VhdIOException>(await flush);
        var refused = Assert.IsType<VhdIOException>(await write);
        Assert.False(refused.DiskUsable);
        Assert.Contains("a flush failed", refused.Message);
        Assert.Equal(1, d.Info.AllocatedBlocks);
    }

    [Fact]
    public async Task The_async_calls_report_errors_in_the_task()
    {
        var (_, _, d) = Create();
        using (d)
        {
            var read = d.ReadAsync(-1, new byte[1]);
            Assert.True(read.IsFaulted);
            await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => read.AsTask());
            var discard = d.DiscardAsync(0, 5 * M);
            Assert.True(discard.IsFaulted);
            await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => discard.AsTask());
        }
        var flush = d.FlushAsync();
        Assert.True(flush.IsFaulted);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => flush.AsTask());
    }

    [Fact]
    public async Task DiscardAsync_discards_and_honours_cancellation()
    {
        var (_, _, d) = Create();
        using (d)
        {
            d.Write(0, [3]);
            using var cts = new CancellationTokenSource();
            cts.Cancel();
            var canceled = d.DiscardAsync(0, 512, cts.Token);
            Assert.True(canceled.IsCanceled);
            var b = new byte[1];
            d.Read(0, b);
            Assert.Equal(3, b[0]);

            await d.DiscardAsync(0, 512);
            d.Read(0, b);
            Assert.Equal(0, b[0]);
        }
    }

    [Fact]
    public async Task DisposeAsync_closes_the_disk_and_releases_its_lock()
    {
        var (fs, _, d) = Create();
        await d.DisposeAsync();
        Assert.Throws<ObjectDisposedException>(() => d.Read(0, new byte[1]));
        using var again = VirtualDisk.Open(fs, Path, FileAccess.ReadWrite);
    }

    [Fact]
    public void Info_reads_the_parent_locators_once()
    {
        var plan = new FaultPlan();
        var fs = new FaultFileSystem(Img.NewFs(), plan);
        VirtualDisk.Create(fs, "/d/p.vhd", new VhdCreateOptions { Size = 4 * M, BlockSize = Block }).Dispose();
        using var child = VirtualDisk.CreateDifferencing(fs, Path, "/d/p.vhd");
        Assert.NotEmpty(child.Info.ParentLocators);
        long ops = fs.OperationCount;
        Assert.NotEmpty(child.Info.ParentLocators);
        Assert.Equal(ops, fs.OperationCount);
    }
}
