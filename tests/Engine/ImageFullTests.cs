using System.IO.Abstractions;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;
using Xunit;

namespace Storage.Tests.Engine;

/// <summary>
/// A BAT entry is a 32-bit sector number and 0xFFFFFFFF means unallocated, so no block can start
/// at sector 0xFFFFFFFF or past it (2 TiB into the file). An image whose end footer is there
/// refuses the allocation by name and writes nothing. A sparse file on the real file system.
/// </summary>
public sealed class ImageFullTests : IDisposable
{
    private readonly FileSystem _fs = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("vhd-full-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A dynamic image whose end footer was moved to sector <paramref name="footerSector"/> (the file made sparse up to it).</summary>
    private string ImageWithEndFooterAt(long footerSector)
    {
        string path = Path.Combine(_dir, "a.vhd");
        using (VirtualDisk.Create(_fs, path, new VhdCreateOptions { Size = 4 << 20, BlockSize = 512 << 10 })) { }
        using var s = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        var footer = new byte[VhdConstants.FooterSize];
        s.Position = s.Length - footer.Length;
        s.ReadExactly(footer);
        s.SetLength(footerSector * VhdConstants.SectorSize + footer.Length);
        s.Position = footerSector * VhdConstants.SectorSize;
        s.Write(footer);
        return path;
    }

    [Fact]
    public void A_block_that_would_start_at_sector_0xFFFFFFFF_is_refused_and_nothing_is_written()
    {
        string path = ImageWithEndFooterAt(VhdConstants.UnallocatedEntry);
        long length = new FileInfo(path).Length;
        using var d = VirtualDisk.Open(_fs, path, FileAccess.ReadWrite);
        var e = Assert.Throws<VhdException>(() => d.Write(3 << 19, new byte[512]));
        Assert.Equal($"{path}: image file is full: block 3 would start at sector 4294967295, past the BAT's 32-bit limit", e.Message);
        Assert.Equal(length, new FileInfo(path).Length);
        Assert.Equal(0, d.AllocatedBlocks);
        Assert.Equal(new byte[512], Read(d, 3 << 19, 512));
    }

    [Fact]
    public void The_last_sector_below_the_limit_still_takes_a_block()
    {
        string path = ImageWithEndFooterAt(VhdConstants.UnallocatedEntry - 1);
        using (var d = VirtualDisk.Open(_fs, path, FileAccess.ReadWrite))
        {
            d.Write(3 << 19, [7]);
            d.Flush();
        }
        using (var d = VirtualDisk.Open(_fs, path))
        {
            Assert.Equal(1, d.AllocatedBlocks);
            Assert.Equal([7], Read(d, 3 << 19, 1));
        }
    }

    private static byte[] Read(VirtualDisk d, long offset, int n)
    {
        var b = new byte[n];
        d.Read(offset, b);
        return b;
    }
}
