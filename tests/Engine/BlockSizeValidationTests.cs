using Storage.Tests.Engine.Support;
using Storage.VhdEngine.Disks;
using Xunit;

namespace Storage.Tests.Engine;

public class BlockSizeValidationTests
{
    [Theory]
    [InlineData(3u * 512 * 1024)]   // not a power of two
    [InlineData(512u * 1024 + 512)] // not a power of two
    [InlineData(0u)]                // too small
    [InlineData(256u)]              // too small (power of two under a sector)
    [InlineData(512u * 1024 * 1024)] // too big
    [InlineData(0x80000000u)]       // too big
    public void BlockSizeMustBeAPowerOfTwoFrom512BTo256MiB(uint blockSize)
    {
        var img = Img.Dynamic();
        Img.PatchHeader(img, h => h with { BlockSize = blockSize });
        var e = Img.OpenFails(img);
        Assert.Equal("block size", e.Field);
        Assert.Contains(blockSize.ToString(), e.Message);
    }

    [Theory]
    [InlineData(512u)]
    [InlineData(4096u)]
    public void SmallPowerOfTwoBlockSizeIsAcceptedOnOpen(uint blockSize)
    {
        // Block sizes under 512 KiB are legal on open (only creation is limited to 512 KiB and up).
        var img = Img.Dynamic();
        var footer = Img.Footer(img, 0);
        long entries = ((long)footer.CurrentSize + blockSize - 1) / blockSize;
        long batBytes = (entries * 4 + 511) / 512 * 512;
        var big = new byte[1536 + batBytes + 512];
        Array.Copy(img, big, 1536);
        big.AsSpan(1536, (int)batBytes).Fill(0xFF);
        Img.PutFooter(big, big.Length - 512, footer);
        (Img.Header(img) with { BlockSize = blockSize, MaxTableEntries = (uint)entries }).WithChecksum().Write(big.AsSpan(512, 1024));
        var fs = Img.Put(big);
        using (var d = VirtualDisk.Open(fs, "/d/x.vhd", FileAccess.ReadWrite))
        {
            Assert.Equal((int)blockSize, d.BlockSize);
            var buf = new byte[5000];
            d.Read(100, buf);
            Assert.True(buf.AsSpan().IndexOfAnyExcept((byte)0) < 0, "expected zeros");
            d.Write(blockSize - 3, Img.Random(4, 2 * (int)blockSize + 7));
            d.Flush();
        }
        using (var d = VirtualDisk.Open(fs, "/d/x.vhd"))
        {
            var buf = new byte[2 * blockSize + 7];
            d.Read(blockSize - 3, buf);
            Assert.Equal(Img.Random(4, 2 * (int)blockSize + 7), buf);
        }
    }
}
