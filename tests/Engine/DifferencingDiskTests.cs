using System.IO.Abstractions.TestingHelpers;
using Storage.Tests.Engine.Support;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Maintenance;
using Xunit;

namespace Storage.Tests.Engine;

/// <summary>
/// A differencing image sector by sector: partial sectors widened only where the parent owns them,
/// each byte written once, reads and <see cref="VirtualDisk.MayContainData"/> past a smaller
/// parent's end, <see cref="SparseDisk.OwnRanges"/> up to the disk's end, the shared parent's release.
/// </summary>
public class DifferencingDiskTests
{
    private const int K = 1024, M = 1024 * 1024, S = 512;

    /// <summary>A dynamic parent of 4 MiB (<paramref name="blockSize"/>) full of random bytes, and a new child over it.</summary>
    private static VirtualDisk Chain(MockFileSystem fs, out byte[] parentData, int blockSize = 512 * K)
    {
        using (var p = VirtualDisk.Create(fs, "/d/p.vhd", new VhdCreateOptions { Size = 4 * M, BlockSize = blockSize }))
        {
            parentData = Img.Random(1, (int)p.Length);
            p.Write(0, parentData);
            p.Flush();
        }
        return VirtualDisk.CreateDifferencing(fs, "/d/c.vhd", "/d/p.vhd");
    }

    /// <summary>Reads the whole disk, and 300 bytes around <paramref name="around"/>, into buffers full of 0xEE: both must equal the model.</summary>
    private static void AssertReads(VirtualDisk d, byte[] model, long around)
    {
        var all = new byte[d.Length];
        all.AsSpan().Fill(0xEE);
        d.Read(0, all);
        Assert.True(model.AsSpan().SequenceEqual(all), $"differs from the model at byte {model.AsSpan().CommonPrefixLength(all)}");
        var piece = new byte[300];
        piece.AsSpan().Fill(0xEE);
        d.Read(around - 150, piece);
        Assert.Equal(model.AsSpan((int)around - 150, 300).ToArray(), piece);
    }

    [Fact]
    public void A_partial_write_into_a_sector_the_child_owns_changes_only_the_bytes_written()
    {
        var fs = Img.NewFs();
        using var c = Chain(fs, out var model);
        Model.Write(c, model, 3 * S, Img.Random(2, S));          // sector 3 is the child's now
        Model.Write(c, model, 3 * S, Img.Random(3, 10));         // its start, ending inside it
        Model.Write(c, model, 4 * S - 10, Img.Random(4, 10));    // its end, starting inside it
        Model.Write(c, model, 3 * S + 100, Img.Random(5, 10));   // its middle
        Model.AssertSame(c, model);
        c.Flush();
        Model.AssertSame(c, model);
    }

    [Fact]
    public void A_write_from_a_sector_of_the_parent_into_one_of_the_child_completes_only_the_parents()
    {
        var fs = Img.NewFs();
        using var c = Chain(fs, out var model);
        Model.Write(c, model, 10 * S, Img.Random(6, S));         // sector 10 the child's, 9 still the parent's
        Model.Write(c, model, 10 * S - 1, [0xA1, 0xA2]);         // last byte of 9, first of 10
        Model.Write(c, model, 20 * S, Img.Random(7, S));
        Model.Write(c, model, 20 * S - 300, Img.Random(8, 400)); // 300 bytes of 19 (the parent's), 100 of 20
        Model.Write(c, model, 30 * S, Img.Random(9, S));         // the other way round: 30 the child's, 31 the parent's
        Model.Write(c, model, 31 * S - 1, [0xB1, 0xB2]);
        Model.AssertSame(c, model);
    }

    [Fact]
    public void A_write_into_a_new_block_writes_the_footer_the_bitmap_and_each_data_byte_once()
    {
        var fs = Img.NewFs();
        using var c = Chain(fs, out _);
        using var t = new TelemetryRecorder();
        c.Write(512 * K, Img.Random(10, S));
        // Footer, bitmap (1024 bits of a 512 KiB block: one sector) and the data; nothing read.
        Assert.Equal(S + S + S, t.IoBytes("write"));
        Assert.Equal(0, t.IoBytes("read"));
        t.Clear();
        c.Write(512 * K + 4 * S, Img.Random(11, 2 * S));         // sectors of the parent in the allocated block
        Assert.Equal(2 * S, t.IoBytes("write"));
        Assert.Equal(0, t.IoBytes("read"));
    }

    [Fact]
    public void A_block_just_allocated_keeps_its_bitmap_in_memory()
    {
        var fs = Img.NewFs();
        using var c = Chain(fs, out var model);
        Model.Write(c, model, 512 * K, Img.Random(12, S));
        using var t = new TelemetryRecorder();
        var back = new byte[2 * S];
        c.Read(512 * K, back);
        Assert.Equal(model.AsSpan(512 * K, 2 * S).ToArray(), back);
        // The child's sector and the parent's: no bitmap read from the file.
        Assert.Equal(2 * S, t.IoBytes("read"));
    }

    [Fact]
    public void Completing_a_partial_sector_reads_that_sector_of_the_parent_once()
    {
        var fs = Img.NewFs();
        using var c = Chain(fs, out var model);
        using var t = new TelemetryRecorder();
        Model.Write(c, model, 0, Img.Random(13, 10));            // the start of sector 0 of a new block
        Assert.Equal(S, t.IoBytes("read"));
        t.Clear();
        Model.Write(c, model, 8 * S, Img.Random(14, S + 10));    // sector 8 whole, the start of 9
        Assert.Equal(S, t.IoBytes("read"));
        Model.AssertSame(c, model);
    }

    [Fact]
    public void A_child_larger_than_its_parent_reads_zeros_past_the_parents_end()
    {
        var fs = Img.NewFs();
        // A fixed parent ending 1.5 KiB into the child's first 2 MiB block.
        const long P = M + 3 * S;
        var parentData = Img.Random(15, (int)P);
        using (var p = VirtualDisk.Create(fs, "/d/p.vhd", new VhdCreateOptions { Type = VhdDiskType.Fixed, Size = P, ExactSize = true }))
        {
            p.Write(0, parentData);
            p.Flush();
        }
        using (VirtualDisk.CreateDifferencing(fs, "/d/c.vhd", "/d/p.vhd")) { }
        VhdMaintenance.Resize(fs, "/d/c.vhd", new ResizeOptions { Size = 4 * M });
        using var c = VirtualDisk.Open(fs, "/d/c.vhd", FileAccess.ReadWrite);
        Assert.Equal(4 * M, c.Length);
        Assert.Equal(P, c.Parent!.Length);
        Assert.Equal(2 * M, c.BlockSize);
        var model = new byte[4 * M];
        parentData.CopyTo(model, 0);
        AssertReads(c, model, P);

        Assert.True(c.MayContainData(0, 2 * M));                 // the parent's end is inside block 0
        Assert.True(c.MayContainData(P - 1, 1));
        Assert.True(c.MayContainData(M, M));                     // asks the parent about its last 1.5 KiB only
        Assert.False(c.MayContainData(P, 2 * M - P));            // the rest of block 0: past the parent
        Assert.False(c.MayContainData(P, 4 * M - P));
        Assert.False(c.MayContainData(2 * M, 2 * M));

        Model.Write(c, model, P - 2, [1, 2, 3, 4]);              // straddles the parent's end
        Model.Write(c, model, P + 1000, [5, 6, 7]);              // a sector wholly past it
        Model.Write(c, model, 3 * M + 7, [8]);                   // a block wholly past it
        AssertReads(c, model, P);
        AssertReads(c, model, P + 1000);
        Assert.True(c.MayContainData(P, S));
        c.Flush();
        AssertReads(c, model, 3 * M + 7);
    }

    [Fact]
    public void Own_ranges_are_the_runs_of_set_bits_through_the_last_sector_of_a_block()
    {
        var fs = Img.NewFs();
        // 2 MiB blocks: 4096 sectors, a bitmap of exactly one sector (no padding bits to read past).
        using var c = Chain(fs, out _, blockSize: 2 * M);
        c.Write(0, new byte[10 * S]);
        c.Write(2 * M - S, new byte[S]);
        c.Write(2 * M + 8 * S, new byte[2 * S]);
        Assert.Equal([(0L, 10L * S), (2L * M - S, (long)S), (2L * M + 8 * S, 2L * S)], ((SparseDisk)c).OwnRanges());
        c.Write(2 * M, new byte[2 * M]);                        // block 1 all the child's
        Assert.Equal([(0L, 10L * S), (2L * M - S, (long)S), (2L * M, 2L * M)], ((SparseDisk)c).OwnRanges());
    }

    [Fact]
    public void Own_ranges_stop_at_a_virtual_size_that_is_not_whole_sectors()
    {
        var fs = Img.NewFs();
        using (Chain(fs, out _)) { }
        const long Size = 3 * M + 1000;
        var child = fs.File.ReadAllBytes("/d/c.vhd");
        Img.PatchFooters(child, f => f with { CurrentSize = Size, OriginalSize = Size });
        fs.File.WriteAllBytes("/d/c.vhd", child);
        using var c = VirtualDisk.Open(fs, "/d/c.vhd", FileAccess.ReadWrite);
        Assert.Equal(Size, c.Length);
        var data = Img.Random(16, 10);
        c.Write(Size - 10, data);
        // The last sector (3 MiB + 512) is the child's; the disk ends 488 bytes into it.
        Assert.Equal([(3L * M + S, 1000L - S)], ((SparseDisk)c).OwnRanges());
        var back = new byte[10];
        c.Read(Size - 10, back);
        Assert.Equal(data, back);
    }

    [Fact]
    public void Disposing_a_child_twice_releases_its_shared_parent_once()
    {
        var fs = Img.NewFs();
        var c1 = Chain(fs, out var parentData);
        using var c2 = VirtualDisk.CreateDifferencing(fs, "/d/c2.vhd", "/d/p.vhd");
        Assert.Same(c1.Parent, c2.Parent);
        c1.Dispose();
        c1.Dispose();
        Assert.True(ParentCache.IsOpenAsParent(fs, "/d/p.vhd"));
        var back = new byte[4096];
        c2.Read(M, back);
        Assert.Equal(parentData.AsSpan(M, 4096).ToArray(), back);
        c2.Dispose();
        Assert.False(ParentCache.IsOpenAsParent(fs, "/d/p.vhd"));
        using (VirtualDisk.Open(fs, "/d/p.vhd", FileAccess.ReadWrite)) { }
    }

    [Fact]
    public void MayContainData_asks_a_parent_with_smaller_blocks_about_the_range_only()
    {
        var fs = Img.NewFs();
        // A child with 2 MiB blocks (made over a fixed parent), set over a dynamic one with 512 KiB
        // blocks of which only block 1 (512 KiB..1 MiB) is allocated.
        using (VirtualDisk.Create(fs, "/d/f.vhd", new VhdCreateOptions { Type = VhdDiskType.Fixed, Size = 4 * M, ExactSize = true })) { }
        using (VirtualDisk.CreateDifferencing(fs, "/d/c.vhd", "/d/f.vhd")) { }
        using (var p = VirtualDisk.Create(fs, "/d/p.vhd", new VhdCreateOptions { Size = 4 * M, BlockSize = 512 * K, ExactSize = true }))
        {
            p.Write(512 * K, [1]);
            p.Flush();
        }
        Reparenter.SetParent(fs, "/d/c.vhd", "/d/p.vhd", ignoreIdMismatch: true);
        using var c = VirtualDisk.Open(fs, "/d/c.vhd");
        Assert.Equal(2 * M, c.BlockSize);
        Assert.Equal(512 * K, c.Parent!.BlockSize);
        Assert.False(c.MayContainData(512 * K - 4 * K, 4 * K));   // the end of the parent's block 0
        Assert.True(c.MayContainData(512 * K - 4 * K, 4 * K + 1));
        Assert.False(c.MayContainData(M, M));
    }
}
