using Storage.VhdEngine.Disks;
using Storage.Tests.Engine.Support;
using Storage.VhdEngine.Format;
using Xunit;

namespace Storage.Tests.Engine;

public class FooterValidationTests
{
    [Fact]
    public void AFooterWhoseChecksumIsWrongEverywhereIsRefusedNamingBothChecksums()
    {
        var img = Img.Dynamic();
        img[100] ^= 1;                // copy: checksum broken
        img[img.Length - 512 + 100] ^= 1; // end: checksum broken
        var e = Img.OpenFails(img);
        var end = VhdFooter.Read(img.AsSpan(img.Length - 512));
        Assert.Equal("footer checksum", e.Field);
        // Every message names the image first.
        Assert.Equal($"{e.Path}: footer checksum: 0x{end.Checksum:x8} does not match the computed 0x{end.ComputeChecksum():x8}", e.Message);
        Assert.NotEqual(end.Checksum, end.ComputeChecksum());
    }

    [Fact]
    public void NoFooterCookieAnywhereIsNoValidFooter()
    {
        var img = Img.Dynamic();
        img[0] ^= 0x20;                  // copy: cookie broken
        img[img.Length - 512] ^= 0x20;   // end: cookie broken
        var e = Img.OpenFails(img);
        Assert.Equal("footer", e.Field);
        Assert.Contains("no valid footer", e.Message);
        Assert.Contains("Conectix", e.Message);
    }

    [Fact]
    public void GarbageFileNamesTheCookieFound()
    {
        var img = Enumerable.Repeat((byte)'A', 4096).ToArray();
        var e = Img.OpenFails(img);
        Assert.Equal("footer", e.Field);
        Assert.Contains("'AAAAAAAA'", e.Message);
    }

    [Fact]
    public void WrongCookieWithValidChecksumIsNoFooter()
    {
        var img = Img.Fixed();
        Img.PatchFooters(img, f => f with { Cookie = f.Cookie ^ 0x20 }); // "conectiX"
        var e = Img.OpenFails(img);
        Assert.Equal("footer", e.Field);
        Assert.Contains("conectiX", e.Message);
    }

    [Theory]
    [InlineData(0x00020000u, "0x00020000")]
    [InlineData(0x00000000u, "0x00000000")]
    [InlineData(0xffff0001u, "0xffff0001")]
    public void FormatVersionMajorMustBeOne(uint version, string text)
    {
        foreach (var img in new[] { Img.Dynamic(), Img.Fixed() })
        {
            Img.PatchFooters(img, f => f with { FormatVersion = version });
            var e = Img.OpenFails(img);
            Assert.Equal("footer format version", e.Field);
            Assert.Contains(text, e.Message);
        }
    }

    [Fact]
    public void MinorFormatVersionIsAccepted()
    {
        var img = Img.Dynamic();
        Img.PatchFooters(img, f => f with { FormatVersion = 0x00010005 });
        using var d = Storage.VhdEngine.Disks.VirtualDisk.Open(Img.Put(img), "/d/x.vhd");
        Assert.Equal(0x00010005u, d.Footer.FormatVersion);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(1u)]
    [InlineData(5u)]
    [InlineData(0x80000003u)]
    public void DiskTypeMustBeFixedDynamicOrDifferencing(uint type)
    {
        var img = Img.Dynamic();
        Img.PatchFooters(img, f => f with { DiskType = (VhdDiskType)type });
        var e = Img.OpenFails(img);
        Assert.Equal("footer disk type", e.Field);
        Assert.Contains(type.ToString(), e.Message);
    }

    [Fact]
    public void FixedCurrentSizeBiggerThanTheFileIsRefused()
    {
        var img = Img.Fixed();
        long data = img.Length - 512;
        Img.PatchFooters(img, f => f with { CurrentSize = (ulong)data + 512 });
        var e = Img.OpenFails(img);
        Assert.Equal("footer current size", e.Field);
        Assert.Contains((data + 512).ToString(), e.Message);
        Assert.Contains(data.ToString(), e.Message);
    }

    [Fact]
    public void FixedCurrentSizeSmallerThanTheFileIsAccepted()
    {
        var img = Img.Fixed();
        Img.PatchFooters(img, f => f with { CurrentSize = 4096 });
        using var d = Storage.VhdEngine.Disks.VirtualDisk.Open(Img.Put(img), "/d/x.vhd");
        Assert.Equal(4096, d.Length);
    }

    [Fact]
    public void FixedVirtualPcSizeComesFromTheGeometryAndIsCheckedToo()
    {
        var img = Img.Fixed();
        long data = img.Length - 512;
        // "vpc " uses CHS: a geometry one cylinder too large addresses more than the file holds.
        Img.PatchFooters(img, f => f with
        {
            CreatorApplication = FourCc.FromText("vpc "),
            Geometry = f.Geometry with { Cylinders = (ushort)(f.Geometry.Cylinders + 1) },
        });
        var g = Img.EndFooter(img).Geometry;
        var e = Img.OpenFails(img);
        Assert.Equal("footer current size", e.Field);
        Assert.Contains(g.TotalBytes.ToString(), e.Message);
    }

    [Fact]
    public void DynamicSizeOver2040GiBIsRefused()
    {
        var img = Img.Dynamic();
        ulong size = (ulong)VhdConstants.MaxDynamicSize + 512;
        Img.PatchFooters(img, f => f with { CurrentSize = size });
        var e = Img.OpenFails(img);
        Assert.Equal("footer current size", e.Field);
        Assert.Contains(size.ToString(), e.Message);
        Assert.Contains(VhdConstants.MaxDynamicSize.ToString(), e.Message);
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(100UL)]
    [InlineData(511UL)]
    [InlineData(4096UL)]
    [InlineData(1UL << 40)]
    [InlineData(ulong.MaxValue)]
    public void DataOffsetOutsideTheFileIsRefused(ulong offset)
    {
        var img = Img.Dynamic();
        Assert.Equal(4096, img.Length);
        Img.PatchFooters(img, f => f with { DataOffset = offset });
        var e = Img.OpenFails(img);
        Assert.Equal("footer data offset", e.Field);
        Assert.Contains(((long)offset).ToString(), e.Message);
    }

    [Fact]
    public void HeaderCutShortByTheEndOfTheFileIsRefused()
    {
        // The copy at offset 0 is valid, but the file ends inside the 1024-byte header.
        var img = Img.Dynamic()[..1000];
        var e = Img.OpenFails(img);
        Assert.Equal("footer data offset", e.Field);
        Assert.Contains("512", e.Message);
        Assert.Contains("1000", e.Message);
    }
}
