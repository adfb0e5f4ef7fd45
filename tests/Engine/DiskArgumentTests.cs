using Storage.Tests.Engine.Support;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;
using Xunit;

namespace Storage.Tests.Engine;

public class DiskArgumentTests
{
    private const int K = 1024, M = 1024 * 1024;

    public static TheoryData<long, int> BadRanges() => new()
    {
        { -1, 1 }, { -1, 0 }, { 0, -1 }, { long.MaxValue, 1 }, { long.MinValue, 0 },
        { 4212736, 1 }, { 4212735, 2 }, { 4212737, 0 }, { 1, 4212736 },
    };

    [Theory]
    [MemberData(nameof(BadRanges))]
    public void OutOfRangeOffsetsThrow(long offset, int length)
    {
        var fs = Img.NewFs();
        using var d = VirtualDisk.Create(fs, "/d/a.vhd", new VhdCreateOptions { Size = 4 * M, BlockSize = 512 * K });
        Assert.Equal(4212736, d.Length);
        // A range outside the disk is the caller's mistake: the BCL's exception, naming the offset
        // when it is itself outside the disk, else the parameter that carries the length; the
        // message names the image.
        bool offsetBad = offset < 0 || offset > d.Length;
        if (length >= 0)
        {
            var buf = new byte[length];
            var read = Assert.Throws<ArgumentOutOfRangeException>(() => d.Read(offset, buf));
            Assert.Equal(offsetBad ? "offset" : "buffer", read.ParamName);
            Assert.Contains("/d/a.vhd: range", read.Message);
            var write = Assert.Throws<ArgumentOutOfRangeException>(() => d.Write(offset, buf));
            Assert.Equal(offsetBad ? "offset" : "data", write.ParamName);
        }
        var may = Assert.Throws<ArgumentOutOfRangeException>(() => d.MayContainData(offset, length));
        Assert.Equal(offsetBad ? "offset" : "length", may.ParamName);
    }

    [Theory]
    [InlineData(VhdDiskType.Fixed)]
    [InlineData(VhdDiskType.Dynamic)]
    public void RangesTouchingTheEndAreFine(VhdDiskType type)
    {
        var fs = Img.NewFs();
        using var d = VirtualDisk.Create(fs, "/d/a.vhd", new VhdCreateOptions { Type = type, Size = 4 * M, BlockSize = 512 * K });
        d.Read(d.Length, Span<byte>.Empty);
        d.Write(d.Length, ReadOnlySpan<byte>.Empty);
        d.Write(d.Length - 3, [1, 2, 3]);
        var b = new byte[3];
        d.Read(d.Length - 3, b);
        Assert.Equal(new byte[] { 1, 2, 3 }, b);
    }

    [Theory]
    [InlineData(VhdDiskType.Fixed)]
    [InlineData(VhdDiskType.Dynamic)]
    public void WriteOnAReadOnlyDiskThrowsAndChangesNothing(VhdDiskType type)
    {
        var fs = Img.NewFs();
        using (VirtualDisk.Create(fs, "/d/a.vhd", new VhdCreateOptions { Type = type, Size = 4 * M, BlockSize = 512 * K })) { }
        var before = fs.File.ReadAllBytes("/d/a.vhd");
        using (var d = VirtualDisk.Open(fs, "/d/a.vhd"))
        {
            Assert.False(d.CanWrite);
            var e = Assert.Throws<VhdException>(() => d.Write(0, [1]));
            Assert.Contains("read-only", e.Message);
            d.Flush(); // nothing to do, no error
        }
        Assert.Equal(before, fs.File.ReadAllBytes("/d/a.vhd"));
    }

    [Fact]
    public void WriteOnAReadOnlyDifferencingDiskThrows()
    {
        var fs = Img.NewFs();
        using (VirtualDisk.Create(fs, "/d/p.vhd", new VhdCreateOptions { Size = M, BlockSize = 512 * K })) { }
        using (VirtualDisk.CreateDifferencing(fs, "/d/c.vhd", "/d/p.vhd")) { }
        using var d = VirtualDisk.Open(fs, "/d/c.vhd");
        Assert.Throws<VhdException>(() => d.Write(100, [1]));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(long.MinValue)]
    public void NonPositiveSizeIsRefused(long size)
    {
        foreach (var type in new[] { VhdDiskType.Fixed, VhdDiskType.Dynamic })
        {
            var fs = Img.NewFs();
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => VirtualDisk.Create(fs, "/d/a.vhd", new VhdCreateOptions { Type = type, Size = size }));
            Assert.Equal("options", e.ParamName);
            Assert.StartsWith("/d/a.vhd: size ", e.Message);
        Assert.Contains("(VhdCreateOptions.Size)", e.Message);
            Assert.Empty(fs.Directory.GetFiles("/d"));
        }
    }

    [Theory]
    [InlineData(VhdDiskType.Fixed)]
    [InlineData(VhdDiskType.Dynamic)]
    public void SizeOverTheLimitIsRefused(VhdDiskType type)
    {
        var fs = Img.NewFs();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => VirtualDisk.Create(fs, "/d/a.vhd", new VhdCreateOptions { Type = type, Size = VhdConstants.MaxDynamicSize + 1 }));
        Assert.Equal("options", e.ParamName);
        Assert.StartsWith("/d/a.vhd: size ", e.Message);
        Assert.Contains("(VhdCreateOptions.Size)", e.Message);
        Assert.Empty(fs.Directory.GetFiles("/d"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2 * M)]
    [InlineData(512)]
    [InlineData(256 * K)]       // a power of two under the 512 KiB creation minimum
    [InlineData(3 * M)]         // not a power of two
    [InlineData(2 * M + 512)]
    [InlineData(512 * M)]       // over 256 MiB
    [InlineData(int.MinValue)]
    public void BadBlockSizeIsRefused(int blockSize)
    {
        var fs = Img.NewFs();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => VirtualDisk.Create(fs, "/d/a.vhd", new VhdCreateOptions { Size = 4 * M, BlockSize = blockSize }));
        Assert.Equal("options", e.ParamName);
        Assert.StartsWith("/d/a.vhd: block size ", e.Message);
        Assert.Contains("(VhdCreateOptions.BlockSize)", e.Message);
        Assert.Contains(blockSize.ToString(), e.Message);
        Assert.Empty(fs.Directory.GetFiles("/d"));
    }

    [Theory]
    [InlineData(512 * K)]
    [InlineData(256 * M)]
    public void BlockSizeLimitsAreAccepted(int blockSize)
    {
        var fs = Img.NewFs();
        using var d = VirtualDisk.Create(fs, "/d/a.vhd", new VhdCreateOptions { Size = 4 * M, BlockSize = blockSize });
        Assert.Equal(blockSize, d.BlockSize);
    }

    [Theory]
    [InlineData(VhdDiskType.Differencing)]
    [InlineData(VhdDiskType.None)]
    [InlineData((VhdDiskType)7)]
    public void CreateRefusesOtherTypes(VhdDiskType type)
    {
        var fs = Img.NewFs();
        var e = Assert.Throws<ArgumentException>(() => VirtualDisk.Create(fs, "/d/a.vhd", new VhdCreateOptions { Type = type, Size = 4 * M }));
        Assert.Equal("options", e.ParamName);
        Assert.StartsWith("/d/a.vhd: disk type ", e.Message);
        Assert.Contains("(VhdCreateOptions.Type)", e.Message);
    }

    [Fact]
    public void CreateRefusesAnExistingFile()
    {
        var fs = Img.NewFs();
        fs.File.WriteAllBytes("/d/a.vhd", [1, 2, 3]);
        Assert.Throws<VhdException>(() => VirtualDisk.Create(fs, "/d/a.vhd", new VhdCreateOptions { Size = 4 * M }));
        Assert.Equal(new byte[] { 1, 2, 3 }, fs.File.ReadAllBytes("/d/a.vhd"));
    }

    [Fact]
    public void CreateDifferencingRefusesItselfAsParent()
    {
        var fs = Img.NewFs();
        using (VirtualDisk.Create(fs, "/d/a.vhd", new VhdCreateOptions { Size = M })) { }
        var e = Assert.Throws<ArgumentException>(() => VirtualDisk.CreateDifferencing(fs, "/d/a.vhd", "/d/a.vhd"));
        Assert.Equal("parentPath", e.ParamName);
    }

    [Fact]
    public void OpeningAMissingFileThrows()
    {
        // A missing image is told apart by type, as File.Open tells it (an IOException, as ours are).
        var fs = Img.NewFs();
        var e = Assert.Throws<FileNotFoundException>(() => VirtualDisk.Open(fs, "/d/none.vhd"));
        Assert.Equal("/d/none.vhd: no such image file", e.Message);
        Assert.Equal("/d/none.vhd", e.FileName);
    }

    [Fact]
    public void DisposedDiskThrowsObjectDisposed()
    {
        var fs = Img.NewFs();
        var d = VirtualDisk.Create(fs, "/d/a.vhd", new VhdCreateOptions { Size = M });
        d.Dispose();
        d.Dispose();
        var e = Assert.Throws<ObjectDisposedException>(() => d.Read(0, new byte[1]));
        // The public type, not the internal one the open chose; and the image.
        Assert.Equal(nameof(VirtualDisk), e.ObjectName);
        Assert.Contains("/d/a.vhd", e.Message);
        Assert.Throws<ObjectDisposedException>(() => d.Flush());
        Assert.Throws<ObjectDisposedException>(() => d.Info);
    }
}
