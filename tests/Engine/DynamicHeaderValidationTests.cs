using Storage.Tests.Engine.Support;
using Xunit;

namespace Storage.Tests.Engine;

public class DynamicHeaderValidationTests
{
    [Fact]
    public void HeaderCookieMustBeCxsparse()
    {
        var img = Img.Dynamic();
        int h = Img.HeaderOffset(img);
        "cxsparsX"u8.CopyTo(img.AsSpan(h));
        var e = Img.OpenFails(img);
        Assert.Equal("dynamic header cookie", e.Field);
        Assert.Contains("'cxsparsX'", e.Message);
        Assert.Contains("512", e.Message);
    }

    [Fact]
    public void HeaderChecksumMustMatch()
    {
        var img = Img.Dynamic();
        var stored = Img.Header(img).Checksum;
        img[Img.HeaderOffset(img) + 900] ^= 0x01; // a reserved byte
        var computed = Img.Header(img).ComputeChecksum();
        var e = Img.OpenFails(img);
        Assert.Equal("dynamic header checksum", e.Field);
        Assert.Contains($"0x{stored:x8}", e.Message);
        Assert.Contains($"0x{computed:x8}", e.Message);
    }

    [Theory]
    [InlineData(0x00020000u, "0x00020000")]
    [InlineData(0x00000000u, "0x00000000")]
    public void HeaderVersionMajorMustBeOne(uint version, string text)
    {
        var img = Img.Dynamic();
        Img.PatchHeader(img, h => h with { HeaderVersion = version });
        var e = Img.OpenFails(img);
        Assert.Equal("dynamic header version", e.Field);
        Assert.Contains(text, e.Message);
    }
}
