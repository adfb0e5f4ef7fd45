using Xunit;

namespace Storage.Tests.Tool;

public class ReadWriteTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    internal static byte[] Random(int length, int seed)
    {
        var b = new byte[length];
        new Random(seed).NextBytes(b);
        return b;
    }

    [Theory]
    [InlineData("dynamic")]
    [InlineData("fixed")]
    public void RoundTripThroughFiles(string type)
    {
        string image = _dir["a.vhd"];
        Vhd.Ok(type == "dynamic" ? ["create", image, "--size", "8M", "--block-size", "512K"] : ["create", image, "--size", "8M", "--type", "fixed"]);
        // Over 1 MiB, unaligned, across blocks: exercises the chunking.
        var data = Random(2_500_001, 1);
        File.WriteAllBytes(_dir["in.bin"], data);
        var w = Vhd.Ok("write", image, "--offset", "777", "--input", _dir["in.bin"]);
        Assert.Equal("", w.Out + w.Err);
        Vhd.Ok("read", image, "--offset", "777", "--length", data.Length.ToString(), "--output", _dir["out.bin"]);
        Assert.Equal(data, File.ReadAllBytes(_dir["out.bin"]));
        // Unwritten space reads as zeros.
        var head = Vhd.Ok("read", image, "--offset", "0", "--length", "777").Bytes;
        Assert.Equal(new byte[777], head);
    }

    [Fact]
    public void RoundTripThroughStdinAndStdout()
    {
        string image = _dir["a.vhd"];
        Vhd.Ok("create", image, "--size", "4M");
        var data = Random(1_300_000, 2);
        var w = Vhd.RunWithInput(data, "write", image, "--offset", "1K");
        Assert.Equal(0, w.ExitCode);
        Assert.Equal("", w.Out + w.Err);
        var r = Vhd.Ok("read", image, "--offset", "1K", "--length", data.Length.ToString());
        Assert.Equal(data, r.Bytes);
        // And the write was flushed: a fresh process-independent open sees it.
        Vhd.Ok("read", image, "--offset", "1024", "--length", "1300000", "--output", _dir["o.bin"]);
        Assert.Equal(data, File.ReadAllBytes(_dir["o.bin"]));
    }

    [Fact]
    public void WritePastTheEndIsRefused()
    {
        string image = _dir["a.vhd"];
        Vhd.Ok("create", image, "--size", "1M", "--exact-size");
        File.WriteAllBytes(_dir["in.bin"], new byte[4096]);
        var r = Vhd.Run("write", image, "--offset", "1021K", "--input", _dir["in.bin"]);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("do not fit", Assert.Single(r.ErrLines));
        r = Vhd.RunWithInput(Random(3 << 20, 3), "write", image, "--offset", "0");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("past the end of the disk", Assert.Single(r.ErrLines));
        // The whole first MiB went in before the refusal, and was flushed.
        Assert.Equal(Random(3 << 20, 3).AsSpan(0, 1 << 20).ToArray(), Vhd.Ok("read", image, "--offset", "0", "--length", "1M").Bytes);
    }
}
