using Storage.VhdTool;
using Xunit;

namespace Storage.Tests.Tool;

public class SizeParserTests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("512", 512L)]
    [InlineData("512B", 512L)]
    [InlineData("512K", 512L << 10)]
    [InlineData("512k", 512L << 10)]
    [InlineData("2M", 2L << 20)]
    [InlineData("2MB", 2L << 20)]
    [InlineData("2mib", 2L << 20)]
    [InlineData("1G", 1L << 30)]
    [InlineData("1gb", 1L << 30)]
    [InlineData("3T", 3L << 40)]
    public void ParsesBinarySuffixes(string text, long expected)
    {
        Assert.True(SizeParser.TryParse(text, out long value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("K")]
    [InlineData("-1")]
    [InlineData("1.5G")]
    [InlineData("12Q")]
    [InlineData("1 G")]
    [InlineData("1GG")]
    [InlineData("1iB")]
    [InlineData("99999999999999999999")]
    [InlineData("9000000T")]
    public void RejectsBadSizes(string text) => Assert.False(SizeParser.TryParse(text, out _));
}
