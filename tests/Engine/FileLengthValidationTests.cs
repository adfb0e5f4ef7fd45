using Storage.Tests.Engine.Support;
using Xunit;

namespace Storage.Tests.Engine;

public class FileLengthValidationTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(510)]
    public void FileShorterThanAFooterIsRefused(int length)
    {
        var e = Img.OpenFails(new byte[length]);
        Assert.Equal("file length", e.Field);
        Assert.Contains($"{length} bytes", e.Message);
    }

    [Fact]
    public void ShortFileWithFooterBytesIsStillRefused()
    {
        var img = Img.Dynamic();
        var e = Img.OpenFails(img[..300]);
        Assert.Equal("file length", e.Field);
        Assert.Contains("300", e.Message);
    }
}
