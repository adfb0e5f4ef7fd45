using Storage.Tests.Engine.Support;
using Xunit;

namespace Storage.Tests.Engine;

public class TableOffsetValidationTests
{
    [Theory]
    [InlineData(0UL)]
    [InlineData(511UL)]
    [InlineData(4096UL)]             // at the end of the file
    [InlineData(3584UL)]             // where the end footer is: the BAT would run into it
    [InlineData(1UL << 33)]
    [InlineData(ulong.MaxValue - 10)]
    public void TableOutsideTheFileIsRefused(ulong offset)
    {
        var img = Img.Dynamic();
        Img.PatchHeader(img, h => h with { TableOffset = offset });
        var e = Img.OpenFails(img);
        Assert.Equal("table offset", e.Field);
        Assert.Contains(((long)offset).ToString(), e.Message);
    }

    [Theory]
    [InlineData(1540UL)]
    [InlineData(2047UL)]
    public void UnalignedTableIsRefused(ulong offset)
    {
        var img = Img.Dynamic();
        Img.PatchHeader(img, h => h with { TableOffset = offset });
        var e = Img.OpenFails(img);
        Assert.Equal("table offset", e.Field);
        Assert.Contains($"{offset} is not a multiple of 512", e.Message);
    }

    [Fact]
    public void TableOverlappingTheHeaderIsRefused()
    {
        var img = Img.Dynamic();
        Img.PatchHeader(img, h => h with { TableOffset = 1024 });
        var e = Img.OpenFails(img);
        Assert.Equal("BAT", e.Field);
        Assert.Contains("dynamic header", e.Message);
    }
}
