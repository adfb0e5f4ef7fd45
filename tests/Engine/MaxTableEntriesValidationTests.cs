using Storage.Tests.Engine.Support;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Xunit;

namespace Storage.Tests.Engine;

public class MaxTableEntriesValidationTests(SamplesFixture samples) : IClassFixture<SamplesFixture>
{
    [Theory]
    [InlineData(0u)]
    [InlineData(1u)]
    [InlineData(8u)] // 8 x 512 KiB = 4 MiB, less than the 4212736-byte disk
    public void EntriesMustCoverTheVirtualSize(uint entries)
    {
        var img = Img.Dynamic();
        Assert.Equal(9u, Img.Header(img).MaxTableEntries);
        Img.PatchHeader(img, h => h with { MaxTableEntries = entries });
        var e = Img.OpenFails(img);
        Assert.Equal("max table entries", e.Field);
        Assert.Contains($"{entries} entries", e.Message);
        Assert.Contains("4212736", e.Message);
    }

    [Fact]
    public void MoreEntriesThanTheSizeNeedsAreAccepted()
    {
        var img = Img.Dynamic();
        Img.PatchHeader(img, h => h with { MaxTableEntries = 100 }); // 400 bytes: still inside the BAT's sector
        using var d = VirtualDisk.Open(Img.Put(img), "/d/x.vhd");
        Assert.Equal(4212736, d.Length);
    }

    [Fact]
    public void EntriesBiggerThanTheFileAreRefused()
    {
        var img = Img.Dynamic();
        Img.PatchHeader(img, h => h with { MaxTableEntries = 100000 });
        var e = Img.OpenFails(img);
        Assert.Equal("max table entries", e.Field);
        Assert.Contains("100000", e.Message);
        Assert.Contains("4096", e.Message); // the file length
    }

    [Fact]
    public void EntriesDescribingMoreThanTheBoundAreRefused()
    {
        var img = Img.Dynamic();
        uint entries = 0x01000000; // x 512 KiB = 8 TiB
        Img.PatchHeader(img, h => h with { MaxTableEntries = entries });
        var e = Img.OpenFails(img);
        Assert.Equal("max table entries", e.Field);
        Assert.Contains(entries.ToString(), e.Message);
    }

    /// <summary>
    /// Review defect: more entries than an int holds (2^31 of 512-byte blocks, 1 TiB, under the
    /// size bound) in a file long enough for their 8 GiB table passed every rule and then threw
    /// OverflowException from the table's int count. A sparse file on the real file system.
    /// </summary>
    [Fact]
    public void EntriesBeyondAnIntInAFileBigEnoughForTheirTableAreRefused()
    {
        var img = Img.Dynamic();
        const uint entries = 0x8000_0000;
        Img.PatchHeader(img, h => h with { BlockSize = 512, MaxTableEntries = entries });
        string dir = Directory.CreateTempSubdirectory("storage-bat-").FullName;
        string path = Path.Combine(dir, "big.vhd");
        try
        {
            using (var f = File.Create(path))
            {
                f.Write(img);
                f.SetLength(8L * 1024 * 1024 * 1024 + 1024 * 1024); // sparse: holds the 8 GiB table
                f.Position = f.Length - 512;
                f.Write(img.AsSpan(img.Length - 512));
            }
            var e = Assert.Throws<VhdFormatException>(() => VirtualDisk.Open(new System.IO.Abstractions.FileSystem(), path).Dispose());
            Assert.Equal("max table entries", e.Field);
            Assert.Contains(entries.ToString(), e.Message);
            Assert.Contains(path, e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void HostileAfl5NamesMaxTableEntries()
    {
        var img = samples.Bytes("hostile/afl5.img");
        var e = Img.OpenFails(img);
        Assert.Contains("max table entries", e.Field + ": " + e.Message);
        Assert.Contains("1073741825", e.Message);
        Assert.IsType<VhdFormatException>(e);
    }
}
