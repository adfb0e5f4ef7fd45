using System.IO.Abstractions.TestingHelpers;
using Storage.Tests.Engine.Support;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;
using Xunit;

namespace Storage.Tests.Engine;

/// <summary>
/// What the allocation protocol writes and when, seen through its documented telemetry
/// (DESIGN.md §8: the vhd.block.allocate and vhd.metadata.write spans, vhd.block.allocations,
/// vhd.metadata.writes by kind) and the file's bytes: an allocation writes the footer and the
/// bitmap at once and the BAT only at the next flush; a flush with nothing dirty writes no
/// metadata; a flush without durability still writes the metadata (<see cref="NonDurableFlushTests"/>).
/// </summary>
public class AllocationTelemetryTests
{
    private const int K = 1024, M = 1024 * 1024, Block = 512 * K;

    private static VirtualDisk Dynamic(MockFileSystem fs) =>
        VirtualDisk.Create(fs, "/d/a.vhd", new VhdCreateOptions { Size = 4 * M, BlockSize = Block });

    private static VirtualDisk Differencing(MockFileSystem fs)
    {
        using (VirtualDisk.Create(fs, "/d/p.vhd", new VhdCreateOptions { Size = 4 * M, BlockSize = Block })) { }
        return VirtualDisk.CreateDifferencing(fs, "/d/c.vhd", "/d/p.vhd");
    }

    [Fact]
    public void An_allocation_writes_footer_and_bitmap_at_once_and_its_bat_sector_at_the_next_flush_only()
    {
        var fs = Img.NewFs();
        using var d = Dynamic(fs);
        using var t = new TelemetryRecorder();
        d.Write(2L * Block + 4096, new byte[4096]);
        var allocate = Assert.Single(t.Spans("vhd.block.allocate"));
        Assert.Equal(2L, allocate.GetTagItem("vhd.block"));
        Assert.Equal(1, t.BlockAllocations);
        Assert.Equal(1, t.MetadataWrites("footer"));
        Assert.Equal(1, t.MetadataWrites("bitmap"));
        Assert.Equal(0, t.MetadataWrites("bat"));
        Assert.Empty(t.Spans("vhd.metadata.write"));

        t.Clear();
        d.Flush();
        Assert.Single(t.Spans("vhd.metadata.write"));
        Assert.Equal(1, t.MetadataWrites("bat"));
        Assert.Equal(0, t.MetadataWrites("bitmap") + t.MetadataWrites("footer"));
        Assert.Empty(t.Spans("vhd.block.allocate"));
        Assert.Equal(0, t.BlockAllocations);
    }

    [Fact]
    public void A_flush_with_no_metadata_dirty_writes_none_and_opens_no_metadata_span()
    {
        var fs = Img.NewFs();
        using var d = Dynamic(fs);
        d.Write(0, new byte[4096]);
        d.Flush();
        using var t = new TelemetryRecorder();
        d.Flush();
        d.Write(100, new byte[10]);
        d.Flush();
        d.Flush(durable: false);
        Assert.Empty(t.Spans("vhd.metadata.write"));
        Assert.Equal(0, t.MetadataWrites("bat") + t.MetadataWrites("bitmap") + t.MetadataWrites("footer"));
    }

    [Fact]
    public void Bat_sectors_are_written_once_per_dirty_run_and_clean_after()
    {
        // 4 GiB of 512 KiB blocks: 8192 entries, 64 BAT sectors. Blocks 0 and 1 share sector 0;
        // block 128 is in sector 1 (a run with sector 0); block 8191 is in the last sector, alone.
        var fs = Img.NewFs();
        using var d = VirtualDisk.Create(fs, "/d/a.vhd", new VhdCreateOptions { Size = 4096L * M, BlockSize = Block });
        using var t = new TelemetryRecorder();
        foreach (long b in new long[] { 0, 1, 128, 8191 }) d.Write(b * Block, new byte[512]);
        d.Flush();
        Assert.Equal(2, t.MetadataWrites("bat"));
        foreach (long b in new long[] { 0, 1, 128, 8191 }) Assert.NotEqual(VhdConstants.UnallocatedEntry, Img.BatEntry(fs.GetFile("/d/a.vhd").Contents, (int)b));
        t.Clear();
        d.Flush();
        Assert.Equal(0, t.MetadataWrites("bat"));
    }

    [Fact]
    public void Bits_set_in_a_block_allocated_earlier_are_one_bitmap_write_at_the_next_flush_and_no_bat_write()
    {
        var fs = Img.NewFs();
        using var d = Differencing(fs);
        d.Write(0, new byte[512]);
        d.Flush();
        using var t = new TelemetryRecorder();
        d.Write(8192, new byte[512]);
        Assert.Equal(0, t.MetadataWrites("bitmap"));
        d.Flush();
        Assert.Single(t.Spans("vhd.metadata.write"));
        Assert.Equal(1, t.MetadataWrites("bitmap"));
        Assert.Equal(0, t.MetadataWrites("bat"));
        t.Clear();
        d.Write(8192, new byte[512]);
        d.Flush();
        Assert.Equal(0, t.MetadataWrites("bitmap"));
        Assert.Empty(t.Spans("vhd.metadata.write"));
    }
}
