using System.IO.Abstractions;
using CsCheck;
using Storage.Tests.Engine.Support;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;
using Storage.VhdEngine.Maintenance;
using Xunit;

namespace Storage.Tests.Engine;

/// <summary>
/// Compactor: empty blocks freed, blocks moved down into the holes, the file cut after the last
/// block; the content never changes, the image checks clean, and what it refuses it refuses
/// before writing anything.
/// </summary>
public sealed class CompactTests
{
    private const string Path = "/d/x.vhd";
    private const int Block = 512 * Img.K;

    private static IFileSystem Dynamic(Action<VirtualDisk> fill, long size = 8 * Img.M)
    {
        var fs = Img.NewFs();
        using var d = VirtualDisk.Create(fs, Path, new VhdCreateOptions { Size = size, BlockSize = Block });
        fill(d);
        d.Flush();
        return fs;
    }

    private static byte[] View(IFileSystem fs, string path = Path)
    {
        using var d = VirtualDisk.Open(fs, path);
        return Img.ReadAll(d);
    }

    private static void AssertClean(IFileSystem fs, string path = Path)
    {
        var report = Checker.Check(fs, path);
        Assert.Empty(report.Errors);
        Assert.Equal(0, report.LeakedBytes);
    }

    [Fact]
    public void Zeroed_blocks_are_freed_and_the_rest_moved_down_with_the_content_unchanged()
    {
        var fs = Dynamic(d =>
        {
            for (int b = 0; b < 8; b++) d.Write((long)b * Block, Img.Random(b + 1, 4096));
            d.Write(2L * Block, new byte[4096]);
            d.Write(5L * Block, new byte[4096]);
        });
        var before = View(fs);
        long length = fs.FileInfo.New(Path).Length;
        var result = Compactor.Compact(fs, Path);
        Assert.Equal(2, result.BlocksFreed);
        Assert.Equal(2, result.BlocksMoved);
        Assert.Equal(2L * (Block + 512), result.BytesReclaimed);
        Assert.Equal(length - result.BytesReclaimed, fs.FileInfo.New(Path).Length);
        Assert.Equal(before, View(fs));
        AssertClean(fs);
        using var d = VirtualDisk.Open(fs, Path);
        Assert.Equal(6, d.AllocatedBlocks);
    }

    [Fact]
    public void A_second_run_finds_nothing_to_do()
    {
        var fs = Dynamic(d => { d.Write(0, Img.Random(1, 512)); d.Write(3L * Block, new byte[512]); });
        Compactor.Compact(fs, Path);
        var again = Compactor.Compact(fs, Path);
        Assert.Equal((0, 0, 0L), (again.BlocksFreed, again.BlocksMoved, again.BytesReclaimed));
    }

    [Fact]
    public void Leaked_space_in_the_middle_is_reclaimed()
    {
        var fs = Dynamic(d => { for (int b = 0; b < 4; b++) d.Write((long)b * Block, Img.Random(b + 7, 1024)); });
        // Unhook block 1 by hand: its slot becomes a leak in the middle of the file.
        var img = fs.File.ReadAllBytes(Path);
        Img.SetBatEntry(img, 1, VhdConstants.UnallocatedEntry);
        fs.File.WriteAllBytes(Path, img);
        var before = View(fs);
        Assert.True(Checker.Check(fs, Path).LeakedBytes > 0);
        var result = Compactor.Compact(fs, Path);
        Assert.Equal(0, result.BlocksFreed);
        Assert.Equal(1, result.BlocksMoved);
        Assert.Equal(before, View(fs));
        AssertClean(fs);
    }

    [Fact]
    public void A_differencing_image_frees_blocks_with_an_empty_bitmap_only()
    {
        var fs = Dynamic(d => d.Write(0, Img.Random(3, 3 * Block)));
        using (var c = Committer.Snapshot(fs, Path, "/d/c.vhd"))
        {
            c.Write(0, new byte[4096]);          // zeros that hide the parent: must stay
            c.Write(Block, Img.Random(4, 512));
            c.Flush();
        }
        var img = fs.File.ReadAllBytes("/d/c.vhd");
        // Clear block 1's bitmap by hand: the block reads the parent again, as if never written.
        int bitmapAt = checked((int)(Img.BatEntry(img, 1) * 512L));
        img.AsSpan(bitmapAt, 512).Clear();
        fs.File.WriteAllBytes("/d/c.vhd", img);
        var before = View(fs, "/d/c.vhd");
        var result = Compactor.Compact(fs, "/d/c.vhd");
        Assert.Equal(1, result.BlocksFreed);
        Assert.Equal(before, View(fs, "/d/c.vhd"));
        AssertClean(fs, "/d/c.vhd");
    }

    [Fact]
    public void A_fixed_image_is_refused_naming_it()
    {
        var fs = Img.Put(Img.Fixed());
        var e = Assert.Throws<VhdException>(() => Compactor.Compact(fs, "/d/x.vhd"));
        Assert.Contains("/d/x.vhd", e.Message, StringComparison.Ordinal);
        Assert.Contains("fixed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_parent_with_children_is_refused_naming_them_and_forced_gets_a_new_id()
    {
        var fs = Dynamic(d => { d.Write(0, Img.Random(1, 4096)); d.Write(Block, new byte[512]); });
        Committer.Snapshot(fs, Path, "/d/c.vhd").Dispose();
        var bytes = fs.File.ReadAllBytes(Path);
        var e = Assert.Throws<VhdException>(() => Compactor.Compact(fs, Path));
        Assert.Contains("/d/c.vhd", e.Message, StringComparison.Ordinal);
        Assert.Contains("--force", e.Message, StringComparison.Ordinal);
        Assert.Equal(bytes, fs.File.ReadAllBytes(Path));
        Assert.True((fs.File.GetAttributes(Path) & FileAttributes.ReadOnly) != 0, "still frozen");

        var result = Compactor.Compact(fs, Path, new CompactOptions { Force = true });
        Assert.Equal(1, result.BlocksFreed);
        var open = Assert.Throws<VhdFormatException>(() => VirtualDisk.Open(fs, "/d/c.vhd").Dispose());
        Assert.Equal("parent unique id", open.Field);
        Assert.True((fs.File.GetAttributes(Path) & FileAttributes.ReadOnly) != 0, "frozen again");
    }

    [Fact]
    public void An_image_open_for_writing_is_refused()
    {
        var fs = Dynamic(d => d.Write(0, Img.Random(1, 512)));
        using var open = VirtualDisk.Open(fs, Path, FileAccess.ReadWrite);
        Assert.Throws<VhdImageInUseException>(() => Compactor.Compact(fs, Path));
    }

    [Fact]
    public void Random_images_compact_to_the_same_content_and_a_minimal_file()
    {
        var writes = Gen.Select(Gen.Int[0, 15], Gen.Int[0, 8], Gen.Bool).Array[1, 30];
        writes.Sample(ops =>
        {
            var fs = Dynamic(d =>
            {
                foreach (var (block, sectors, zero) in ops)
                    d.Write((long)block * Block + sectors * 512L, zero ? new byte[1024] : Img.Random(block * 31 + sectors, 1024));
            });
            var before = View(fs);
            Compactor.Compact(fs, Path);
            Assert.Equal(before, View(fs));
            AssertClean(fs);
            var m = Img.Load(fs, Path);
            long expectedEnd = Math.Max(ImageMetadata.FirstBlockOffset(m.MetadataEnd, m.BitmapBytes), m.BlocksEnd);
            Assert.True(m.FooterOffset <= expectedEnd, $"footer at {m.FooterOffset}, blocks end at {m.BlocksEnd}");
        }, iter: 30);
    }
}
