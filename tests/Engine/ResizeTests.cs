using System.IO.Abstractions;
using Storage.Tests.Engine.Support;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;
using Storage.VhdEngine.Maintenance;
using Xunit;

namespace Storage.Tests.Engine;

/// <summary>
/// Resizer: grows and shrinks fixed, dynamic and differencing images in place, keeping the data
/// and creation's size rules, moving a BAT that no longer fits; refuses a shrink over data.
/// </summary>
public sealed class ResizeTests
{
    private const string Path = "/d/x.vhd";
    private const int Block = 512 * Img.K;

    private static IFileSystem Create(VhdDiskType type, long size, Action<VirtualDisk>? fill = null, bool exact = false)
    {
        var fs = Img.NewFs();
        using var d = VirtualDisk.Create(fs, Path, new VhdCreateOptions { Type = type, Size = size, BlockSize = Block, ExactSize = exact });
        fill?.Invoke(d);
        d.Flush();
        return fs;
    }

    private static byte[] View(IFileSystem fs, string path = Path)
    {
        using var d = VirtualDisk.Open(fs, path);
        return Img.ReadAll(d);
    }

    private static void AssertGrown(IFileSystem fs, byte[] before, long size, string path = Path)
    {
        var after = View(fs, path);
        Assert.Equal(size, after.Length);
        Assert.Equal(before, after.AsSpan(0, before.Length).ToArray());
        Assert.True(after.AsSpan(before.Length).IndexOfAnyExcept((byte)0) < 0, "the new space reads zeros");
        Assert.Empty(Checker.Check(fs, path).Errors);
    }

    [Theory]
    [InlineData(VhdDiskType.Dynamic)]
    [InlineData(VhdDiskType.Fixed)]
    public void A_grow_keeps_the_data_and_reads_zeros_past_the_old_end(VhdDiskType type)
    {
        var fs = Create(type, 4 * Img.M, d => d.Write(4 * Img.M - 4096 - 512 * 17, Img.Random(5, 4096)));
        var before = View(fs);
        long size = Resizer.Resize(fs, Path, new ResizeOptions { Size = 9 * Img.M });
        Assert.Equal(DiskGeometry.ForCreate(9 * Img.M).VirtualSize, size);
        AssertGrown(fs, before, size);
    }

    [Fact]
    public void A_bat_that_no_longer_fits_moves_to_the_end_and_new_blocks_still_allocate()
    {
        var fs = Create(VhdDiskType.Dynamic, 4 * Img.M, d => { d.Write(0, Img.Random(1, 4096)); d.Write(3L * Block, Img.Random(2, 4096)); });
        var before = View(fs);
        long tableBefore = (long)Img.Load(fs, Path).Header!.TableOffset;
        long size = Resizer.Resize(fs, Path, new ResizeOptions { Size = 600 * Img.M });
        var m = Img.Load(fs, Path);
        Assert.NotEqual(tableBefore, (long)m.Header!.TableOffset);
        Assert.True(m.Header.MaxTableEntries * (long)Block >= size);
        AssertGrown(fs, before, size);
        using (var d = VirtualDisk.Open(fs, Path, FileAccess.ReadWrite))
        {
            d.Write(500 * Img.M, Img.Random(9, 4096));
            d.Flush();
        }
        Assert.Empty(Checker.Check(fs, Path).Errors);
        using var r = VirtualDisk.Open(fs, Path);
        var back = new byte[4096];
        r.Read(500 * Img.M, back);
        Assert.Equal(Img.Random(9, 4096), back);
    }

    [Fact]
    public void A_grow_does_not_rewrite_data()
    {
        var fs = Create(VhdDiskType.Dynamic, 4 * Img.M, d => d.Write(0, Img.Random(1, 3 * Block)));
        var img = fs.File.ReadAllBytes(Path);
        long dataStart = Img.BatEntry(img, 0) * 512L;
        Resizer.Resize(fs, Path, new ResizeOptions { Size = 2048L * Img.M });
        var after = fs.File.ReadAllBytes(Path);
        Assert.True(img.AsSpan((int)dataStart, 3 * (Block + 512)).SequenceEqual(after.AsSpan((int)dataStart, 3 * (Block + 512))));
    }

    [Fact]
    public void An_exact_size_image_keeps_its_exact_size()
    {
        var fs = Create(VhdDiskType.Fixed, 20 * Img.M, exact: true);
        Assert.Equal(21 * Img.M, Resizer.Resize(fs, Path, new ResizeOptions { Size = 21 * Img.M }));
        Assert.Equal(21 * Img.M + 512, fs.FileInfo.New(Path).Length);
        Assert.Equal(DiskGeometry.Max, Img.Load(fs, Path).Footer.Geometry);
    }

    [Fact]
    public void A_differencing_child_grows_and_reads_zeros_past_its_parent()
    {
        var fs = Create(VhdDiskType.Dynamic, 4 * Img.M, d => d.Write(0, Img.Random(3, 4 * Img.M - 512 * 100)));
        using (var c = Committer.Snapshot(fs, Path, "/d/c.vhd"))
        {
            c.Write(Block, Img.Random(4, 512));
            c.Flush();
        }
        var before = View(fs, "/d/c.vhd");
        long size = Resizer.Resize(fs, "/d/c.vhd", new ResizeOptions { Size = 8 * Img.M });
        AssertGrown(fs, before, size, "/d/c.vhd");
    }

    [Fact]
    public void A_shrink_needs_the_flag_and_is_refused_over_allocated_blocks_naming_the_first()
    {
        var fs = Create(VhdDiskType.Dynamic, 8 * Img.M, d => { d.Write(0, Img.Random(1, 512)); d.Write(5L * Block + 7, Img.Random(2, 100)); });
        var bytes = fs.File.ReadAllBytes(Path);
        var e = Assert.Throws<VhdException>(() => Resizer.Resize(fs, Path, new ResizeOptions { Size = 2 * Img.M }));
        Assert.Contains("--allow-shrink", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<VhdException>(() => Resizer.Resize(fs, Path, new ResizeOptions { Size = 2 * Img.M, AllowShrink = true }));
        Assert.Contains("block 5", e.Message, StringComparison.Ordinal);
        Assert.Contains(Path, e.Message, StringComparison.Ordinal);
        Assert.Equal(bytes, fs.File.ReadAllBytes(Path));
        long size = Resizer.Resize(fs, Path, new ResizeOptions { Size = 3 * Img.M, AllowShrink = true });
        var after = View(fs);
        Assert.Equal(size, after.Length);
        Assert.Equal(Img.Random(2, 100), after.AsSpan(5 * Block + 7, 100).ToArray());
        Assert.Empty(Checker.Check(fs, Path).Errors);
    }

    [Fact]
    public void A_fixed_shrink_is_refused_over_data_and_otherwise_rewrites_the_end_footer_only()
    {
        var fs = Create(VhdDiskType.Fixed, 4 * Img.M, d => d.Write(2 * Img.M + 100, Img.Random(1, 10)));
        var e = Assert.Throws<VhdException>(() => Resizer.Resize(fs, Path, new ResizeOptions { Size = 1 * Img.M, AllowShrink = true }));
        Assert.Contains("offset 2097252", e.Message, StringComparison.Ordinal);
        long length = fs.FileInfo.New(Path).Length;
        long size = Resizer.Resize(fs, Path, new ResizeOptions { Size = 3 * Img.M, AllowShrink = true });
        Assert.Equal(length, fs.FileInfo.New(Path).Length);
        Assert.Equal(size, Img.Load(fs, Path).VirtualSize);
        Assert.Equal(Img.Random(1, 10), View(fs).AsSpan(2 * Img.M + 100, 10).ToArray());
        Assert.Empty(Checker.Check(fs, Path).Errors);
        // Grown again, the space past the shrunk size reads zeros (nothing was stored there).
        long grown = Resizer.Resize(fs, Path, new ResizeOptions { Size = 4 * Img.M });
        Assert.True(View(fs).AsSpan((int)size).IndexOfAnyExcept((byte)0) < 0);
        Assert.Equal(length, fs.FileInfo.New(Path).Length);
        Assert.Equal(grown, Img.Load(fs, Path).VirtualSize);
    }

    [Fact]
    public void Sizes_out_of_range_are_refused_naming_the_value()
    {
        var fs = Create(VhdDiskType.Dynamic, 4 * Img.M);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Resizer.Resize(fs, Path, new ResizeOptions { Size = 3000L * 1024 * Img.M }));
        Assert.Contains("3221225472000", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => Resizer.Resize(fs, Path, new ResizeOptions { Size = 0 }));
    }

    [Fact]
    public void A_parent_with_children_is_refused()
    {
        var fs = Create(VhdDiskType.Dynamic, 4 * Img.M);
        Committer.Snapshot(fs, Path, "/d/c.vhd").Dispose();
        var e = Assert.Throws<VhdException>(() => Resizer.Resize(fs, Path, new ResizeOptions { Size = 8 * Img.M }));
        Assert.Contains("/d/c.vhd", e.Message, StringComparison.Ordinal);
    }
}
