using System.IO.Abstractions.TestingHelpers;
using Storage.FaultInjection;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;
using Xunit;

namespace Storage.Tests.Crash;

/// <summary>
/// How many syncs a durable flush costs (DESIGN.md §4): none when nothing was written since the
/// last one, one (the data's) when no metadata is dirty, two when a BAT entry or bitmap must follow
/// the data. Counted on the fault file system, which sees every sync the engine makes.
/// </summary>
public sealed class FlushSyncCountTests
{
    private const int Block = 512 << 10;

    private static (FaultFileSystem Fs, VirtualDisk Disk) Open(VhdDiskType type)
    {
        var fs = new FaultFileSystem(new MockFileSystem());
        fs.Directory.CreateDirectory("/img");
        if (type == VhdDiskType.Differencing)
        {
            using (VirtualDisk.Create(fs, "/img/p.vhd", new VhdCreateOptions { Size = 4 << 20, BlockSize = Block })) { }
            return (fs, VirtualDisk.CreateDifferencing(fs, "/img/a.vhd", "/img/p.vhd"));
        }
        return (fs, VirtualDisk.Create(fs, "/img/a.vhd", new VhdCreateOptions { Type = type, Size = 4 << 20, BlockSize = Block }));
    }

    private static long Syncs(FaultFileSystem fs, Action action)
    {
        long before = fs.FlushToDiskCount;
        action();
        return fs.FlushToDiskCount - before;
    }

    [Theory]
    [InlineData(VhdDiskType.Fixed, 1)]
    [InlineData(VhdDiskType.Dynamic, 2)]
    [InlineData(VhdDiskType.Differencing, 2)]
    public void A_write_in_place_costs_one_sync_an_allocation_two_and_nothing_written_none(VhdDiskType type, int allocating)
    {
        var (fs, d) = Open(type);
        using (d)
        {
            Assert.Equal(allocating, Syncs(fs, () => { d.Write(4096, new byte[4096]); d.Flush(); }));
            Assert.Equal(0, Syncs(fs, d.Flush));
            Assert.Equal(1, Syncs(fs, () => { d.Write(4096, new byte[4096]); d.Flush(); }));
            Assert.Equal(1, Syncs(fs, () => { d.Write(4096 + 100, new byte[10]); d.Flush(); }));
            Assert.Equal(0, Syncs(fs, d.Flush));
        }
    }

    [Fact]
    public void A_differencing_write_that_sets_bits_in_an_allocated_block_costs_two_syncs()
    {
        var (fs, d) = Open(VhdDiskType.Differencing);
        using (d)
        {
            d.Write(0, new byte[512]);
            d.Flush();
            Assert.Equal(2, Syncs(fs, () => { d.Write(8192, new byte[512]); d.Flush(); }));
            Assert.Equal(1, Syncs(fs, () => { d.Write(8192, new byte[512]); d.Flush(); }));
        }
    }

    [Fact]
    public void A_flush_without_durability_syncs_nothing_and_leaves_the_next_durable_flush_its_syncs()
    {
        var (fs, d) = Open(VhdDiskType.Dynamic);
        using (d)
        {
            d.Write(0, new byte[4096]);
            Assert.Equal(0, Syncs(fs, () => d.Flush(durable: false)));
            Assert.Equal(1, Syncs(fs, d.Flush));
        }
    }

    [Fact]
    public void A_flush_without_durability_on_a_clean_disk_leaves_the_next_durable_flush_nothing_to_sync()
    {
        var (fs, d) = Open(VhdDiskType.Dynamic);
        using (d)
        {
            d.Write(0, new byte[4096]);
            d.Flush();
            Assert.Equal(0, Syncs(fs, () => d.Flush(durable: false)));
            Assert.Equal(0, Syncs(fs, d.Flush));
        }
    }
}
