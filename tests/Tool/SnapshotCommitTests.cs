using Xunit;

namespace Storage.Tests.Tool;

public class SnapshotCommitTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SnapshotThenCommit(bool keep)
    {
        string baseImage = _dir["base.vhd"], child = _dir["child.vhd"];
        Vhd.Ok("create", baseImage, "--size", "4M");
        var original = ReadWriteTests.Random(10_000, 20);
        Vhd.RunWithInput(original, "write", baseImage, "--offset", "0");
        Assert.Equal("", Vhd.Ok("snapshot", baseImage, child).Out);
        var update = ReadWriteTests.Random(3000, 21);
        Assert.Equal(0, Vhd.RunWithInput(update, "write", child, "--offset", "4096").ExitCode);
        // The base is untouched until the commit.
        Assert.Equal(original, Vhd.Ok("read", baseImage, "--offset", "0", "--length", "10000").Bytes);

        Vhd.Ok(keep ? ["commit", child, "--keep"] : ["commit", child]);
        Assert.Equal(keep, File.Exists(child));
        var expected = (byte[])original.Clone();
        update.CopyTo(expected, 4096);
        Assert.Equal(expected, Vhd.Ok("read", baseImage, "--offset", "0", "--length", "10000").Bytes);
    }

    [Fact]
    public void CommitOfANonDifferencingImageIsAnError()
    {
        string image = _dir["a.vhd"];
        Vhd.Ok("create", image, "--size", "1M");
        var r = Vhd.Run("commit", image);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("not a differencing", Assert.Single(r.ErrLines));
        r = Vhd.Run("snapshot", _dir["none.vhd"], _dir["c.vhd"]);
        Assert.Equal(1, r.ExitCode);
        Assert.False(File.Exists(_dir["c.vhd"]));
    }
}
