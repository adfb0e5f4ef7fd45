using Storage.FaultInjection;
using Xunit;

namespace Storage.Tests.FaultInjection;

public sealed class CrashStateTests
{
    [Theory]
    [InlineData("E3:p5")]
    [InlineData("E0:p0")]
    [InlineData("E3:d2")]
    [InlineData("E3:t4.1")]
    [InlineData("E12:t0.10")]
    [InlineData("E3:m")]
    [InlineData("E3:x1011")]
    [InlineData("E3:x")]
    [InlineData("E3:s42.7")]
    [InlineData("E3:s-42.0")]
    public void Parse_and_ToString_round_trip(string text)
    {
        CrashState state = CrashState.Parse(text);
        Assert.Equal(text, state.ToString());
        Assert.Equal(state, CrashState.Parse(state.ToString()));
        Assert.Equal(state.GetHashCode(), CrashState.Parse(text).GetHashCode());
    }

    [Theory]
    [InlineData("")]
    [InlineData("E3")]
    [InlineData("E:p1")]
    [InlineData("3:p1")]
    [InlineData("E3:q1")]
    [InlineData("E3:p")]
    [InlineData("E3:p-1")]
    [InlineData("E3:t4")]
    [InlineData("E3:x102")]
    [InlineData("E3:m1")]
    [InlineData("E-1:p1")]
    public void Parse_rejects_malformed_text(string text)
    {
        Assert.Throws<FormatException>(() => CrashState.Parse(text));
        Assert.False(CrashState.TryParse(text, out _));
    }

    [Fact]
    public void Factories_match_the_documented_kinds()
    {
        Assert.Equal(CrashStateKind.Prefix, CrashState.Prefix(1, 2).Kind);
        Assert.Equal("E1:t2.3", CrashState.Tear(1, 2, 3).ToString());
        Assert.Equal(9, CrashState.Sampled(1, 9, 4).Seed);
        Assert.Equal(4, CrashState.Sampled(1, 9, 4).Operation);
        Assert.Throws<ArgumentException>(() => CrashState.Explicit(0, "12"));
    }
}
