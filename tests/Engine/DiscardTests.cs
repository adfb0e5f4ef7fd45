using System.IO.Abstractions;
using Storage.Tests.Engine.Support;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Maintenance;
using Xunit;

namespace Storage.Tests.Engine;

/// <summary>VirtualDisk.Discard (TRIM): the range reads zeros; whole dynamic blocks are freed at the next flush, their space reclaimed by compact.</summary>
public sealed class DiscardTests
{
    private const string Path = "/d/x.vhd";
    private const int Block = 512 * Img.K;

    private static IFileSystem Dynamic(out byte[] data)
    {
        var fs = Img.NewFs();
        data = Img.Random(1, 4 * Block);
        using var d = VirtualDisk.Create(fs, Path, new VhdCreateOptions { Size = 4 * Img.M, BlockSize = Block });
        d.Write(0, data);
        d.Flush();
        return fs;
    }

    [Fact]
    public void Whole_blocks_are_freed_at_the_flush_and_partial_ones_zeroed()
    {
        var fs = Dynamic(out var data);
        using (var d = VirtualDisk.Open(fs, Path, FileAccess.ReadWrite))
        {
            d.Discard(Block - 1024, Block + 2048);   // end of block 0, all of block 1, start of block 2
            Array.Clear(data, Block - 1024, Block + 2048);
            Assert.Equal(data, Img.ReadAll(d).AsSpan(0, data.Length).ToArray());
            Assert.Equal(3, d.AllocatedBlocks);
            d.Flush();
        }
        using (var d = VirtualDisk.Open(fs, Path))
        {
            Assert.Equal(data, Img.ReadAll(d).AsSpan(0, data.Length).ToArray());
            Assert.Equal(3, d.AllocatedBlocks);
        }
        Assert.Empty(Checker.Check(fs, Path).Errors);
        var result = Compactor.Compact(fs, Path);
        Assert.Equal(Block + 512, result.BytesReclaimed);
        using var after = VirtualDisk.Open(fs, Path);
        Assert.Equal(data, Img.ReadAll(after).AsSpan(0, data.Length).ToArray());
    }

    [Fact]
    public void Without_a_flush_the_freed_block_is_still_on_disk()
    {
        var fs = Dynamic(out var data);
        using (var d = VirtualDisk.Open(fs, Path, FileAccess.ReadWrite)) d.Discard(Block, Block);
        using var r = VirtualDisk.Open(fs, Path);
        Assert.Equal(data, Img.ReadAll(r).AsSpan(0, data.Length).ToArray());
    }

    [Fact]
    public void A_discarded_block_written_again_gets_a_new_slot()
    {
        var fs = Dynamic(out var data);
        using (var d = VirtualDisk.Open(fs, Path, FileAccess.ReadWrite))
        {
            d.Discard(0, Block);
            d.Write(100, Img.Random(2, 512));
            d.Flush();
        }
        Array.Clear(data, 0, Block);
        Img.Random(2, 512).CopyTo(data, 100);
        using var r = VirtualDisk.Open(fs, Path);
        Assert.Equal(data, Img.ReadAll(r).AsSpan(0, data.Length).ToArray());
        Assert.Empty(Checker.Check(fs, Path).Errors);
    }

    [Fact]
    public void A_differencing_image_writes_zeros_over_its_parent()
    {
        var fs = Dynamic(out var data);
        using (var c = Committer.Snapshot(fs, Path, "/d/c.vhd"))
        {
            c.Discard(1000, 3 * Block);
            c.Flush();
        }
        Array.Clear(data, 1000, 3 * Block);
        using var r = VirtualDisk.Open(fs, "/d/c.vhd");
        Assert.Equal(data, Img.ReadAll(r).AsSpan(0, data.Length).ToArray());
    }

    [Fact]
    public void Bad_ranges_and_read_only_disks_are_refused()
    {
        var fs = Dynamic(out _);
        using (var d = VirtualDisk.Open(fs, Path, FileAccess.ReadWrite))
            Assert.Throws<ArgumentOutOfRangeException>(() => d.Discard(4 * Img.M, 1 * Img.M));
        using var r = VirtualDisk.Open(fs, Path);
        var e = Assert.Throws<VhdException>(() => r.Discard(0, 512));
        Assert.Contains("read-only", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_last_block_the_disk_ends_inside_is_freed_whole()
    {
        var fs = Img.NewFs();
        const long Size = 3 * Img.M + Block / 2;
        using var d = VirtualDisk.Create(fs, Path, new VhdCreateOptions { Size = Size, BlockSize = Block, ExactSize = true });
        Assert.Equal(Size, d.Length);
        d.Write(3 * Img.M, Img.Random(2, Block / 2));
        Assert.Equal(1, d.AllocatedBlocks);
        d.Discard(3 * Img.M, Block / 2);
        Assert.Equal(0, d.AllocatedBlocks);
        Assert.Equal(new byte[Size], Img.ReadAll(d));
    }
}
