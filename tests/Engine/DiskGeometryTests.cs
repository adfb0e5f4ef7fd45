using Storage.Tests.Engine.Support;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;
using Xunit;

namespace Storage.Tests.Engine;

public class DiskGeometryTests
{
    // Values worked by hand through the specification's CHS algorithm (appendix), one per branch,
    // and the geometries the real sample images carry for their sizes.
    [Theory]
    [InlineData(0L, 0, 4, 17)]                        // heads raised to the minimum of 4
    [InlineData(68L, 1, 4, 17)]                       // afl5.img (qemu): 34816 bytes
    [InlineData(204L, 3, 4, 17)]                      // image.vhd (qemu): 104448 bytes
    [InlineData(8192L, 120, 4, 17)]                   // fat-differential.vhd: 4194304 bytes -> 4177920
    [InlineData(8228L, 121, 4, 17)]                   // ext2.vhd (qemu): 4212736 bytes
    [InlineData(278528L, 561, 16, 31)]                // 17*16*1024: cth 16384 >= 16*1024 -> 31 sectors
    [InlineData(507904L, 503, 16, 63)]                // 31*16*1024: 31 is not enough either -> 63 sectors
    [InlineData(66059279L, 65534, 16, 63)]            // just under 65535*16*63
    [InlineData(66059280L, 16191, 16, 255)]           // 65535*16*63: the 255-sector branch
    [InlineData(266338304L, 65278, 16, 255)]          // Hyper-V/Virtual PC 127 GiB samples: 65278/16/255
    [InlineData(267382800L, 65535, 16, 255)]          // exactly the maximum
    [InlineData(300000000L, 65535, 16, 255)]          // capped at the maximum
    public void FromSectorsFollowsTheSpecification(long sectors, int cylinders, int heads, int spt)
    {
        var g = DiskGeometry.FromSectors(sectors);
        Assert.Equal(new DiskGeometry((ushort)cylinders, (byte)heads, (byte)spt), g);
        Assert.True(g.TotalSectors <= sectors);
    }

    [Fact]
    public void FromSectorsRejectsNegative() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => DiskGeometry.FromSectors(-1));

    [Fact]
    public void EncodingIsCylindersHeadsSectors()
    {
        var g = new DiskGeometry(0xfefe, 0x10, 0xff);
        Assert.Equal(0xfefe10ffu, g.ToUInt32());
        Assert.Equal(g, DiskGeometry.FromUInt32(0xfefe10ff));
        Assert.Equal(65278L * 16 * 255, g.TotalSectors);
        Assert.Equal(136363130880L, g.TotalBytes);
        Assert.Equal(new DiskGeometry(65535, 16, 255), DiskGeometry.Max);
    }

    // qemu-img create -f vpc sizes.
    [Theory]
    [InlineData(1L << 30, 1073995776L)]
    [InlineData(1000L << 20, 1048707072L)]
    [InlineData(127L << 20, 133171200L)]
    [InlineData(3L << 30, 3221471232L)]
    [InlineData(5L << 20, 5257216L)]
    public void ForCreateMatchesQemuImg(long requested, long expected)
    {
        var (g, size) = DiskGeometry.ForCreate(requested);
        Assert.Equal(expected, size);
        Assert.Equal(size, g.TotalBytes);
        Assert.True(size >= requested);
    }

    [Theory]
    [InlineData(1L)]
    [InlineData(511L)]
    [InlineData(513L)]
    [InlineData(4L << 20)]
    [InlineData(123456789L)]
    [InlineData(100L << 30)]
    public void ForCreateIsTheSmallestSpecGeometryCoveringTheRequest(long requested)
    {
        var (g, size) = DiskGeometry.ForCreate(requested);
        Assert.True(size >= requested);
        Assert.Equal(g.TotalBytes, size);
        // Round-trips through the spec algorithm: the geometry of its own size is itself.
        Assert.Equal(g, DiskGeometry.FromSectors(g.TotalSectors));
    }

    [Fact]
    public void ForCreateOverTheMaximumGeometryKeepsTheRequestedSize()
    {
        long requested = 2000L << 30;
        var (g, size) = DiskGeometry.ForCreate(requested);
        Assert.Equal(DiskGeometry.Max, g);
        Assert.Equal(requested, size);
        var (g2, size2) = DiskGeometry.ForCreate(requested + 1);
        Assert.Equal(DiskGeometry.Max, g2);
        Assert.Equal(requested + 512, size2);
    }

    [Theory]
    [InlineData(VhdDiskType.Dynamic, 5L * 1024 * 1024)]
    [InlineData(VhdDiskType.Dynamic, 5L * 1024 * 1024 + 100)]
    [InlineData(VhdDiskType.Fixed, 5L * 1024 * 1024)]
    [InlineData(VhdDiskType.Fixed, 3L * 1024 * 1024 + 1)]
    public void ExactSizeCreateKeepsTheSizeWithMaximumGeometry(VhdDiskType type, long requested)
    {
        long expected = (requested + 511) / 512 * 512;
        var fs = Img.NewFs();
        using (var d = VirtualDisk.Create(fs, "/d/a.vhd", new VhdCreateOptions { Type = type, Size = requested, ExactSize = true, BlockSize = 512 * 1024 }))
        {
            Assert.Equal(expected, d.Length);
            Assert.Equal(DiskGeometry.Max, d.Footer.Geometry);
            Assert.Equal((ulong)expected, d.Footer.CurrentSize);
            Assert.Equal((ulong)expected, d.Footer.OriginalSize);
        }
        using (var d = VirtualDisk.Open(fs, "/d/a.vhd"))
            Assert.Equal(expected, d.Length);
        if (type == VhdDiskType.Fixed) Assert.Equal(expected + 512, fs.FileInfo.New("/d/a.vhd").Length);
    }

    [Fact]
    public void CreateWithoutExactSizeRoundsUpToTheGeometry()
    {
        var fs = Img.NewFs();
        using var d = VirtualDisk.Create(fs, "/d/a.vhd", new VhdCreateOptions { Size = 5L << 20 });
        Assert.Equal(5257216L, d.Length);
        Assert.Equal(5257216L, d.Footer.Geometry.TotalBytes);
        Assert.Equal(5257216ul, d.Footer.CurrentSize);
    }
}
