using Storage.Tests.Engine.Support;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;
using Storage.VhdEngine.Maintenance;
using Xunit;

namespace Storage.Tests.Engine;

public class ParentLocatorValidationTests
{
    private static byte[] WithLocator(int slot, ParentLocator l)
    {
        var img = Img.Dynamic();
        Img.PatchHeader(img, h =>
        {
            var locs = h.ParentLocators.ToArray();
            locs[slot] = l;
            return h with { ParentLocators = locs };
        });
        return img;
    }

    [Theory]
    [InlineData(0, 70000u)]
    [InlineData(5, 65537u)]
    [InlineData(7, uint.MaxValue)]
    public void DataLengthOverTheLimitIsRefused(int slot, uint length)
    {
        var e = Img.OpenFails(WithLocator(slot, new ParentLocator(ParentLocator.W2ru, 512, length, 0, 2048)));
        Assert.Equal($"parent locator {slot} data length", e.Field);
        Assert.Contains(length.ToString(), e.Message);
    }

    [Theory]
    [InlineData(4096UL, 10u)]             // starts at the end of the file
    [InlineData(3580UL, 10u)]             // runs into the end footer
    [InlineData(1UL << 40, 1u)]
    [InlineData(ulong.MaxValue - 4, 100u)] // would wrap around
    public void DataPastTheEndIsRefused(ulong offset, uint length)
    {
        var e = Img.OpenFails(WithLocator(2, new ParentLocator(ParentLocator.W2ku, 512, length, 0, offset)));
        Assert.Equal("parent locator 2 data offset", e.Field);
        Assert.Contains(offset.ToString(), e.Message);
    }

    [Fact]
    public void DataOverlappingTheTableIsRefused()
    {
        var e = Img.OpenFails(WithLocator(1, new ParentLocator(ParentLocator.W2ru, 512, 20, 0, 1536)));
        Assert.Contains("parent locator 1", e.Field + e.Message);
        Assert.Contains("BAT", e.Field + e.Message);
    }

    [Fact]
    public void LocatorInsideTheFileIsAcceptedOnADynamicImage()
    {
        using var d = VirtualDisk.Open(Img.Put(WithLocator(0, new ParentLocator(ParentLocator.W2ru, 512, 20, 0, 2048))), "/d/x.vhd");
        Assert.Equal(VhdDiskType.Dynamic, d.DiskType);
    }
    [Fact]
    public void LocatorWithoutDataIsNotCheckedForItsOffset()
    {
        // Nothing is read from a locator whose data length is 0, so where it points does not matter.
        using var d = VirtualDisk.Open(Img.Put(WithLocator(2, new ParentLocator(ParentLocator.W2ku, 512, 0, 0, 1UL << 40))), "/d/x.vhd");
        Assert.Equal(VhdDiskType.Dynamic, d.DiskType);
    }

    [Fact]
    public void RepairThatTruncatesLeakedSpaceKeepsTheImageOpenable()
    {
        // Regression (property seed bltz5KCAQGG5): a data-less locator pointing into leaked tail space made
        // the image unopenable once repair had truncated that space away.
        var img = Img.Dynamic();
        int grow = 3 * 512 * Img.K;
        var big = new byte[img.Length + grow];
        img.AsSpan(0, img.Length - VhdConstants.FooterSize).CopyTo(big);
        img.AsSpan(img.Length - VhdConstants.FooterSize).CopyTo(big.AsSpan(big.Length - VhdConstants.FooterSize));
        ulong intoLeak = (ulong)(img.Length + grow / 2);
        Img.PatchHeader(big, h =>
        {
            var locs = h.ParentLocators.ToArray();
            locs[2] = new ParentLocator(1, 0, 0, 0, intoLeak);
            return h with { ParentLocators = locs };
        });
        var fs = Img.Put(big);

        var before = Checker.Check(fs, "/d/x.vhd");
        Assert.Empty(before.Errors);
        Assert.True(before.LeakedBytes >= grow, $"leaked {before.LeakedBytes}");

        var after = Checker.Repair(fs, "/d/x.vhd");
        Assert.Empty(after.Errors);
        Assert.Equal(0, after.LeakedBytes);
        Assert.True(fs.File.ReadAllBytes("/d/x.vhd").Length < big.Length);
        using var d = VirtualDisk.Open(fs, "/d/x.vhd");
        Assert.Equal(new byte[d.Length], Img.ReadAll(d));
    }
}
