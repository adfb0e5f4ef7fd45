using Storage.Tests.Engine.Support;
using Storage.VhdEngine.Disks;
using Xunit;

namespace Storage.Tests.Engine;

public class BatEntryValidationTests
{
    private const int Block = 512 * 1024;

    /// <summary>A 4 MiB image with 512 KiB blocks 0 and 1 allocated.</summary>
    private static byte[] TwoBlocks() => Img.Dynamic(fill: d =>
    {
        d.Write(0, Img.Random(1, 100));
        d.Write(Block, Img.Random(2, 100));
    });

    [Fact]
    public void TheBaseImageIsValid()
    {
        var img = TwoBlocks();
        Assert.Equal(7u, Img.BatEntry(img, 0));
        Assert.Equal(7u + 1025, Img.BatEntry(img, 1));
        using var d = VirtualDisk.Open(Img.Put(img), "/d/x.vhd");
        Assert.Equal(2, d.AllocatedBlocks);
    }

    [Theory]
    [InlineData(0x00100000u)]
    [InlineData(0xFFFFFFFEu)]
    public void EntryPastTheEndIsRefused(uint sector)
    {
        var img = TwoBlocks();
        Img.SetBatEntry(img, 2, sector);
        var e = Img.OpenFails(img);
        Assert.Equal("BAT entry 2", e.Field);
        Assert.Contains($"sector {sector}", e.Message);
        Assert.Contains("past", e.Message);
    }

    [Fact]
    public void EntryWhoseBlockRunsPastTheEndIsRefused()
    {
        var img = TwoBlocks();
        // Block 1 moved so that its data runs one sector into the end footer.
        Img.SetBatEntry(img, 1, (uint)((img.Length - 512) / 512 - 1025 + 1));
        var e = Img.OpenFails(img);
        Assert.Equal("BAT entry 1", e.Field);
    }

    [Theory]
    [InlineData(0u, "footer copy")]
    [InlineData(1u, "dynamic header")]
    [InlineData(2u, "dynamic header")]
    [InlineData(3u, "BAT")]
    public void EntryOverlappingMetadataIsRefused(uint sector, string what)
    {
        var img = TwoBlocks();
        Img.SetBatEntry(img, 3, sector);
        var e = Img.OpenFails(img);
        Assert.Equal("BAT entry 3", e.Field);
        Assert.Contains(what, e.Message);
    }

    [Fact]
    public void DuplicateEntriesAreRefused()
    {
        var img = TwoBlocks();
        Img.SetBatEntry(img, 1, Img.BatEntry(img, 0));
        var e = Img.OpenFails(img);
        Assert.StartsWith("BAT entry ", e.Field);
        Assert.Contains("overlaps block", e.Message);
        Assert.Contains("sector 7", e.Message);
    }

    [Fact]
    public void PartlyOverlappingBlocksAreRefused()
    {
        var img = TwoBlocks();
        Img.SetBatEntry(img, 1, Img.BatEntry(img, 0) + 1000);
        var e = Img.OpenFails(img);
        Assert.StartsWith("BAT entry ", e.Field);
        Assert.Contains("overlaps block", e.Message);
    }
}
