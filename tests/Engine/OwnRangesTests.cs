using Storage.Tests.Engine.Support;
using Storage.VhdEngine.Disks;
using Xunit;

namespace Storage.Tests.Engine;

/// <summary><see cref="SparseDisk.OwnRanges"/> of a dynamic image: its allocated blocks whole, in offset order, cut at the disk's end.</summary>
public class OwnRangesTests
{
    private const int K = 1024, M = 1024 * K, Block = 512 * K;

    [Fact]
    public void Allocated_blocks_in_offset_order_the_last_cut_at_the_disks_end()
    {
        var fs = Img.NewFs();
        const long Size = 3 * M + Block / 2;
        using var d = VirtualDisk.Create(fs, "/d/a.vhd", new VhdCreateOptions { Size = Size, BlockSize = Block, ExactSize = true });
        Assert.Equal(Size, d.Length);
        d.Write(4L * Block + 7, [1]);
        d.Write(Block, [2]);
        d.Write(Size - 1, [3]);
        Assert.Equal([((long)Block, (long)Block), (4L * Block, (long)Block), (6L * Block, Block / 2L)], ((SparseDisk)d).OwnRanges());
    }

    [Fact]
    public void Blocks_at_or_past_the_end_of_a_disk_made_smaller_are_not_its_ranges()
    {
        var fs = Img.NewFs();
        using (var d = VirtualDisk.Create(fs, "/d/a.vhd", new VhdCreateOptions { Size = 4 * M, BlockSize = Block, ExactSize = true }))
        {
            d.Write(0, [1]);
            d.Write(6L * Block, [2]);
            d.Write(7L * Block, [3]);
            d.Flush();
        }
        // The footers say 3 MiB now: block 6 starts at the disk's end, block 7 past it.
        var img = fs.File.ReadAllBytes("/d/a.vhd");
        Img.PatchFooters(img, f => f with { CurrentSize = 3 * M, OriginalSize = 3 * M });
        fs.File.WriteAllBytes("/d/a.vhd", img);
        using var small = VirtualDisk.Open(fs, "/d/a.vhd");
        Assert.Equal(3 * M, small.Length);
        Assert.Equal(3, small.AllocatedBlocks);
        Assert.Equal([(0L, (long)Block)], ((SparseDisk)small).OwnRanges());
    }
}
