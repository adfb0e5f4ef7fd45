using Storage.FaultInjection;
using Storage.Tests.Engine.Support;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Xunit;

namespace Storage.Tests.Engine;

/// <summary>
/// The syncs DESIGN.md §4 asks of a sparse image, counted on the fault file system (it sees every
/// one the engine makes): a durable flush syncs the data, then again after the BAT and bitmaps when
/// any was dirty, and not at all when nothing was written since its last sync; a flush without
/// durability syncs nothing and leaves what it wrote to the next durable one; a read-write open
/// syncs only when it writes the end footer back.
/// </summary>
public sealed class FlushSyncTests
{
    private const int M = 1 << 20, Block = 512 << 10;
    private const string Path = "/d/a.vhd";

    private static (FaultFileSystem Fs, VirtualDisk Disk) Dynamic(FaultPlan? plan = null)
    {
        var fs = new FaultFileSystem(Img.NewFs(), plan);
        return (fs, VirtualDisk.Create(fs, Path, new VhdCreateOptions { Size = 4 * M, BlockSize = Block }));
    }

    [Fact]
    public void An_allocation_costs_two_syncs_a_write_in_place_one_and_nothing_written_none()
    {
        var (fs, d) = Dynamic();
        using (d)
        {
            Assert.Equal(2, fs.Syncs(() => { d.Write(4096, new byte[4096]); d.Flush(); }));
            Assert.Equal(0, fs.Syncs(d.Flush));
            Assert.Equal(1, fs.Syncs(() => { d.Write(4096, new byte[4096]); d.Flush(); }));
            Assert.Equal(0, fs.Syncs(d.Flush));
            Assert.Equal(0, fs.GetDisk(Path)!.PendingPieceCount);
        }
    }

    [Fact]
    public void A_flush_without_durability_syncs_nothing_and_leaves_the_next_durable_flush_one_sync()
    {
        var (fs, d) = Dynamic();
        using (d)
        {
            d.Write(0, new byte[4096]);
            Assert.Equal(0, fs.Syncs(() => d.Flush(durable: false)));
            Assert.Equal(1, fs.Syncs(d.Flush));
            Assert.Equal(0, fs.GetDisk(Path)!.PendingPieceCount);
        }
    }

    [Fact]
    public void A_flush_without_durability_on_a_clean_disk_leaves_the_next_durable_flush_nothing_to_sync()
    {
        var (fs, d) = Dynamic();
        using (d)
        {
            d.Write(0, new byte[4096]);
            d.Flush();
            Assert.Equal(0, fs.Syncs(() => d.Flush(durable: false)));
            Assert.Equal(0, fs.Syncs(d.Flush));
        }
    }

    [Fact]
    public void A_bat_entry_a_failed_write_left_and_a_flush_without_durability_wrote_is_synced_by_the_next_durable_flush()
    {
        var plan = new FaultPlan();
        var (fs, d) = Dynamic(plan);
        using (d)
        {
            d.Write(0, new byte[4096]);
            d.Flush();
            // Room for one more block (bitmap sector, data, footer): the write allocates block 1, then
            // fails growing the file for block 2, so it never completes, yet block 1's entry is dirty.
            plan.WithMaxFileSize(fs.FileInfo.New(Path).Length + 512 + Block);
            Assert.Throws<VhdIOException>(() => d.Write(Block, new byte[2 * Block]));
            Assert.Equal(2, d.AllocatedBlocks);
            Assert.Equal(0, fs.Syncs(() => d.Flush(durable: false)));
            Assert.NotEqual(0, fs.GetDisk(Path)!.PendingPieceCount);
            Assert.Equal(1, fs.Syncs(d.Flush));
            Assert.Equal(0, fs.GetDisk(Path)!.PendingPieceCount);
        }
    }

    [Fact]
    public void A_read_write_open_syncs_only_when_it_writes_the_end_footer_back()
    {
        var img = Img.Dynamic(fill: d => d.Write(0, [1]));
        var valid = new FaultFileSystem(Img.Put(img));
        Assert.Equal(0, valid.Syncs(() => VirtualDisk.Open(valid, "/d/x.vhd", FileAccess.ReadWrite).Dispose()));

        var damaged = img.ToArray();
        Array.Clear(damaged, damaged.Length - 512, 512);
        var fs = new FaultFileSystem(Img.Put(damaged));
        Assert.Equal(1, fs.Syncs(() => VirtualDisk.Open(fs, "/d/x.vhd", FileAccess.ReadWrite).Dispose()));
        Assert.Equal(0, fs.GetDisk("/d/x.vhd")!.PendingPieceCount);
        Assert.Equal(img, fs.File.ReadAllBytes("/d/x.vhd"));
    }
}
