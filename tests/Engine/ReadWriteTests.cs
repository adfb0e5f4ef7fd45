using Storage.Tests.Engine.Support;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;
using Xunit;

namespace Storage.Tests.Engine;

/// <summary>Fixed, dynamic and differencing disks against a byte-array model, across reopen.</summary>
public class ReadWriteTests
{
    private const int K = 1024, M = 1024 * 1024;

    [Theory]
    [InlineData(VhdDiskType.Fixed, 512 * K, 3 * M)]
    [InlineData(VhdDiskType.Dynamic, 512 * K, 3 * M)]
    [InlineData(VhdDiskType.Dynamic, 2 * M, 11 * M)]
    public void OddWritesMatchTheModelBeforeAndAfterReopen(VhdDiskType type, int block, long size)
    {
        var fs = Img.NewFs();
        byte[] model;
        using (var d = VirtualDisk.Create(fs, "/d/a.vhd", new VhdCreateOptions { Type = type, Size = size, BlockSize = block }))
        {
            model = new byte[d.Length];
            Model.AssertSame(d, model);
            Model.OddWrites(d, model, block, seed: 1);
            Model.AssertSame(d, model);
            d.Flush();
            Model.OddWrites(d, model, block, seed: 2, randomWrites: 5);
            d.Flush();
        }
        using (var d = VirtualDisk.Open(fs, "/d/a.vhd"))
            Model.AssertSame(d, model);
        using (var d = VirtualDisk.Open(fs, "/d/a.vhd", FileAccess.ReadWrite))
        {
            Model.OddWrites(d, model, block, seed: 3, randomWrites: 5);
            d.Flush();
        }
        using (var d = VirtualDisk.Open(fs, "/d/a.vhd"))
            Model.AssertSame(d, model);
    }

    [Theory]
    [InlineData(VhdDiskType.Dynamic, 512 * K)]
    [InlineData(VhdDiskType.Dynamic, 2 * M)]
    [InlineData(VhdDiskType.Fixed, 2 * M)]
    public void DifferencingChildMatchesTheModelAndLeavesTheParentAlone(VhdDiskType parentType, int block)
    {
        var fs = Img.NewFs();
        byte[] model;
        using (var p = VirtualDisk.Create(fs, "/d/parent.vhd", new VhdCreateOptions { Type = parentType, Size = 5L * block + 12345, BlockSize = block }))
        {
            model = new byte[p.Length];
            // Parent data in blocks 0, 2 and the last; block 1 and others left unallocated.
            Model.Write(p, model, 100, Img.Random(10, block));
            Model.Write(p, model, 2L * block + 7, Img.Random(11, 3000));
            Model.Write(p, model, p.Length - 5000, Img.Random(12, 5000));
            p.Flush();
        }
        var parentBytes = fs.File.ReadAllBytes("/d/parent.vhd");
        using (var c = VirtualDisk.CreateDifferencing(fs, "/d/child.vhd", "/d/parent.vhd"))
        {
            Assert.Equal(VhdDiskType.Differencing, c.DiskType);
            Assert.Equal(model.LongLength, c.Length);
            Model.AssertSame(c, model);
            Model.OddWrites(c, model, c.BlockSize, seed: 4);
            Model.AssertSame(c, model);
            c.Flush();
            Model.OddWrites(c, model, c.BlockSize, seed: 5, randomWrites: 5);
            c.Flush();
        }
        using (var c = VirtualDisk.Open(fs, "/d/child.vhd"))
            Model.AssertSame(c, model);
        using (var c = VirtualDisk.Open(fs, "/d/child.vhd", FileAccess.ReadWrite))
        {
            Model.OddWrites(c, model, c.BlockSize, seed: 6, randomWrites: 5);
            c.Flush();
        }
        using (var c = VirtualDisk.Open(fs, "/d/child.vhd"))
            Model.AssertSame(c, model);
        Assert.Equal(parentBytes, fs.File.ReadAllBytes("/d/parent.vhd"));
    }

    [Fact]
    public void PartialSectorWritesIntoAChildMergeWithTheParentsBytes()
    {
        var fs = Img.NewFs();
        var parentData = Img.Random(20, 4 * M);
        using (var p = VirtualDisk.Create(fs, "/d/p.vhd", new VhdCreateOptions { Size = 4 * M, BlockSize = 512 * K }))
        {
            p.Write(0, parentData);
            p.Flush();
        }
        var model = parentData.AsSpan(0, (int)Math.Min(parentData.Length, 4212736)).ToArray();
        Array.Resize(ref model, 4212736);
        using (var c = VirtualDisk.CreateDifferencing(fs, "/d/c.vhd", "/d/p.vhd"))
        {
            // Unallocated block: 3 bytes inside sector 1.
            Model.Write(c, model, 515, [1, 2, 3]);
            // The same (now allocated) block, a sector whose bit is clear: 2 bytes straddling sectors 9/10.
            Model.Write(c, model, 10 * 512 - 1, [4, 5]);
            // A run that starts and ends mid-sector across a block boundary.
            Model.Write(c, model, 512 * K - 700, Img.Random(21, 1500));
            // Overwrite inside a sector that is already the child's.
            Model.Write(c, model, 516, [9]);
            Model.AssertSame(c, model);
            c.Flush();
        }
        using (var c = VirtualDisk.Open(fs, "/d/c.vhd"))
        {
            Model.AssertSame(c, model);
            var sector = new byte[512];
            c.Read(512, sector);
            var expected = parentData[512..1024];
            expected[3] = 1; expected[4] = 9; expected[5] = 3;
            Assert.Equal(expected, sector);
        }
    }

    [Theory]
    [InlineData(VhdDiskType.Fixed)]
    [InlineData(VhdDiskType.Dynamic)]
    public void UnwrittenSpaceReadsZeros(VhdDiskType type)
    {
        var fs = Img.NewFs();
        using var d = VirtualDisk.Create(fs, "/d/a.vhd", new VhdCreateOptions { Type = type, Size = 3 * M, BlockSize = 512 * K });
        Assert.True(Img.ReadAll(d).AsSpan().IndexOfAnyExcept((byte)0) < 0, "expected zeros");
        d.Write(512 * K + 1000, [7, 7, 7]);
        var all = Img.ReadAll(d);
        Assert.Equal(3, all.Count(b => b != 0));
        Assert.Equal(7, all[512 * K + 1001]);
        if (type == VhdDiskType.Dynamic)
        {
            Assert.False(d.MayContainData(0, 512 * K));
            Assert.True(d.MayContainData(512 * K, 1));
            Assert.False(d.MayContainData(2 * 512 * K, d.Length - 2 * 512 * K));
        }
    }

    [Fact]
    public void UnwrittenSectorsOfAChildReadTheParentAndBeyondTheParentZeros()
    {
        var fs = Img.NewFs();
        var data = Img.Random(30, 2000);
        using (var p = VirtualDisk.Create(fs, "/d/p.vhd", new VhdCreateOptions { Size = 2 * M, BlockSize = 512 * K }))
        {
            p.Write(600 * K, data);
            p.Flush();
        }
        using var c = VirtualDisk.CreateDifferencing(fs, "/d/c.vhd", "/d/p.vhd");
        var buf = new byte[2000];
        c.Read(600 * K, buf);
        Assert.Equal(data, buf);
        Assert.False(c.MayContainData(0, 512 * K));
        Assert.True(c.MayContainData(512 * K, 512 * K));
        c.Write(0, [1]);
        Assert.True(c.MayContainData(0, 1));
        var first = new byte[1024];
        c.Read(0, first);
        Assert.Equal(1, first[0]);
        Assert.True(first[1..].AsSpan().IndexOfAnyExcept((byte)0) < 0, "expected zeros");
    }

    [Fact]
    public async Task AsyncReadWriteAndFlushWork()
    {
        var fs = Img.NewFs();
        using (var d = VirtualDisk.Create(fs, "/d/a.vhd", new VhdCreateOptions { Size = 2 * M, BlockSize = 512 * K }))
        {
            await d.WriteAsync(12345, Img.Random(40, 9999));
            await d.FlushAsync();
            await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await d.WriteAsync(d.Length, new byte[1]));
        }
        using var r = VirtualDisk.Open(fs, "/d/a.vhd");
        var buf = new byte[9999];
        await r.ReadAsync(12345, buf);
        Assert.Equal(Img.Random(40, 9999), buf);
    }
}
