using System.Buffers.Binary;
using Storage.Tests.Engine.Support;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;
using Xunit;

namespace Storage.Tests.Engine;

/// <summary>A new block starts where the end footer was, and the old footer's bytes can never be read as data.</summary>
public class BlockAllocationTests(SamplesFixture samples) : IClassFixture<SamplesFixture>
{
    private const int K = 1024, M = 1024 * 1024;
    private static ReadOnlySpan<byte> Cookie => "conectix"u8;

    private static uint BatEntry(byte[] file, long block)
    {
        var h = DynamicHeader.Read(file.AsSpan((int)VhdFooter.Read(file).DataOffset, 1024));
        return BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan((int)h.TableOffset + (int)block * 4));
    }

    [Theory]
    [InlineData(512 * K)]
    [InlineData(2 * M)]
    public void NewBlocksStartAtTheOldEndFooter(int block)
    {
        var fs = Img.NewFs();
        var model = new byte[0];
        var expectedEntries = new Dictionary<long, long>();
        using (var d = (DynamicDisk)VirtualDisk.Create(fs, "/d/a.vhd", new VhdCreateOptions { Size = 6L * block, BlockSize = block }))
        {
            model = new byte[d.Length];
            int bitmap = VhdConstants.BitmapBytes(block);
            // Blocks allocated out of order, each by a write at an odd offset that spans into the next block.
            foreach (long b in new long[] { 3, 0, 5 })
            {
                long before = d.EndFooterOffset;
                Assert.Equal(before, d.FileLength - 512);
                long off = b * block + block - 333;
                int n = (int)Math.Min(777, d.Length - off);
                bool spansNext = off + n > (b + 1) * block;
                Model.Write(d, model, off, Img.Random((int)b, n));
                expectedEntries[b] = before;
                long after = before + bitmap + block;
                if (spansNext) { expectedEntries[b + 1] = after; after += bitmap + block; }
                Assert.Equal(after, d.EndFooterOffset);
                Assert.Equal(after + 512, d.FileLength);
                var all = Img.ReadAll(d);
                Assert.False(Img.Contains(all, Cookie), "old footer bytes are readable in the virtual disk");
                Assert.Equal(model, all);
            }
            d.Flush();
        }
        var file = fs.File.ReadAllBytes("/d/a.vhd");
        foreach (var (b, offset) in expectedEntries)
            Assert.Equal(offset, BatEntry(file, b) * 512L);
        Assert.Equal(Img.Footer(file, 0), Img.EndFooter(file));
        using (var d = VirtualDisk.Open(fs, "/d/a.vhd"))
        {
            Assert.Equal(expectedEntries.Count, d.AllocatedBlocks);
            Assert.Equal(model, Img.ReadAll(d));
        }
    }

    [Fact]
    public void DifferencingBlocksStartAtTheOldEndFooterToo()
    {
        var fs = Img.NewFs();
        using (var p = VirtualDisk.Create(fs, "/d/p.vhd", new VhdCreateOptions { Size = 2 * M, BlockSize = 512 * K }))
        {
            p.Write(0, Enumerable.Repeat((byte)0x11, (int)p.Length).ToArray());
            p.Flush();
        }
        long before;
        using (var c = (SparseDisk)VirtualDisk.CreateDifferencing(fs, "/d/c.vhd", "/d/p.vhd"))
        {
            before = c.EndFooterOffset;
            c.Write(512 * K + 3, [1, 2]);
            var all = Img.ReadAll(c);
            Assert.False(Img.Contains(all, Cookie));
            Assert.Equal(2, all.Count(b => b != 0x11));
            c.Flush();
        }
        Assert.Equal(before, BatEntry(fs.File.ReadAllBytes("/d/c.vhd"), 1) * 512L);
    }

    [Theory]
    [InlineData("virtualpc-dynamic.vhd")]
    [InlineData("hyperv2012r2-dynamic.vhd")]
    public void WritingIntoARealImageAllocatesAtItsEndFooter(string name)
    {
        var fs = Img.NewFs();
        fs.File.WriteAllBytes("/d/s.vhd", samples.Bytes(name));
        long before;
        const long Off = 7L * 2 * M - 100; // the end of block 6 into block 7
        var data = Img.Random(50, 300);
        using (var d = (DynamicDisk)VirtualDisk.Open(fs, "/d/s.vhd", FileAccess.ReadWrite))
        {
            before = d.EndFooterOffset;
            Assert.Equal(d.FileLength - 512, before);
            d.Write(Off, data);
            d.Flush();
        }
        var file = fs.File.ReadAllBytes("/d/s.vhd");
        Assert.Equal(before, BatEntry(file, 6) * 512L);
        Assert.Equal(before + 512 + 2 * M, BatEntry(file, 7) * 512L);
        Assert.Equal(Img.Footer(file, 0), Img.EndFooter(file));
        using (var d = VirtualDisk.Open(fs, "/d/s.vhd"))
        {
            var blocks = new byte[4 * 2 * M];
            d.Read(5L * 2 * M, blocks); // blocks 5..8
            Assert.False(Img.Contains(blocks, Cookie));
            var expected = new byte[blocks.Length];
            data.CopyTo(expected, (int)(Off - 5L * 2 * M));
            Assert.Equal(expected, blocks);
        }
    }

    [Fact]
    public void A_dynamic_blocks_bitmap_is_written_all_ones()
    {
        // DESIGN.md §4: a dynamic block's bitmap says every sector is present, whatever was written.
        var img = Img.Dynamic(fill: d => d.Write(512 * K + 100, [1]));
        uint sector = BatEntry(img, 1);
        Assert.NotEqual(VhdConstants.UnallocatedEntry, sector);
        Assert.All(img.AsSpan((int)(sector * 512L), 512).ToArray(), b => Assert.Equal(0xFF, b));
    }
}
