using Storage.VhdEngine.Disks;
using Xunit;

namespace Storage.Tests.Engine;

/// <summary>The bit operations on a sector bitmap: MSB-first bits, and runs that never pass their limit.</summary>
public class SectorBitmapTests
{
    [Fact]
    public void A_run_over_whole_equal_bytes_stops_at_its_limit_wherever_the_limit_falls()
    {
        foreach (byte fill in new byte[] { 0x00, 0xFF })
        {
            var bitmap = new byte[8];
            bitmap.AsSpan().Fill(fill);
            for (int first = 0; first < 9; first++)
                for (int limit = 1; first + limit <= 64; limit++)
                {
                    Assert.Equal(limit, SectorBitmap.RunLength(bitmap, first, limit, out bool set));
                    Assert.Equal(fill != 0, set);
                }
        }
    }

    [Fact]
    public void A_run_ends_at_the_first_bit_that_differs()
    {
        var bitmap = new byte[8];
        SectorBitmap.SetRange(bitmap, 3, 26); // sectors 3..28
        Assert.Equal([0x1F, 0xFF, 0xFF, 0xF8, 0, 0, 0, 0], bitmap);
        Assert.Equal(26, SectorBitmap.RunLength(bitmap, 3, 61, out bool set));
        Assert.True(set);
        Assert.Equal(35, SectorBitmap.RunLength(bitmap, 29, 35, out set));
        Assert.False(set);
        Assert.Equal(3, SectorBitmap.RunLength(bitmap, 0, 64, out set));
        Assert.False(set);
    }
}
