using Xunit;

namespace Storage.Tests.Tool;

public class UsageTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("help")]
    [InlineData("-h")]
    public void HelpListsEveryCommand(string arg)
    {
        var r = Vhd.Ok(arg);
        foreach (var c in new[] { "create", "info", "read", "write", "convert", "snapshot", "commit" })
            Assert.Contains($"vhd {c} ", r.Out);
        Assert.Equal("", r.Err);
    }

    [Fact]
    public void VersionAndCommandHelp()
    {
        Assert.Matches(@"^vhd \d+\.\d+\.\d+", Vhd.Ok("--version").Out);
        Assert.StartsWith("usage: vhd convert SOURCE TARGET --to", Vhd.Ok("convert", "--help").Out);
        Assert.StartsWith("usage: vhd info IMAGE", Vhd.Ok("help", "info").Out);
    }

    [Theory]
    [InlineData("missing command")]
    [InlineData("unknown command 'frob'", "frob")]
    [InlineData("unknown option '--frob'", "--frob")]
    [InlineData("unknown option '--colour' for 'info'", "info", "x.vhd", "--colour")]
    [InlineData("missing IMAGE", "info")]
    [InlineData("missing --size", "create", "x.vhd")]
    [InlineData("bad value for --size: '12Q'", "create", "x.vhd", "--size", "12Q")]
    [InlineData("bad value for --size: '1.5G'", "create", "x.vhd", "--size", "1.5G")]
    [InlineData("option --size needs a value", "create", "x.vhd", "--size")]
    [InlineData("option --size given twice", "create", "x.vhd", "--size", "1M", "--size=2M")]
    [InlineData("bad value for --type: 'sparse'", "create", "x.vhd", "--size", "1M", "--type", "sparse")]
    [InlineData("--block-size applies to dynamic images only", "create", "x.vhd", "--size", "1M", "--type", "fixed", "--block-size", "2M")]
    [InlineData("option --exact-size takes no value", "create", "x.vhd", "--size", "1M", "--exact-size=yes")]
    [InlineData("unexpected argument 'y.vhd'", "info", "x.vhd", "y.vhd")]
    [InlineData("bad value for --offset: 'ten'", "read", "x.vhd", "--offset", "ten", "--length", "1")]
    [InlineData("missing --length", "read", "x.vhd", "--offset", "0")]
    [InlineData("missing --offset", "write", "x.vhd")]
    [InlineData("missing TARGET", "convert", "a.raw")]
    [InlineData("missing --to", "convert", "a.raw", "b.vhd")]
    [InlineData("bad value for --to: 'vmdk'", "convert", "a.raw", "b.vhd", "--to", "vmdk")]
    [InlineData("bad value for --from: 'qcow2'", "convert", "a.raw", "b.vhd", "--to", "raw", "--from", "qcow2")]
    [InlineData("--block-size applies to --to dynamic only", "convert", "a.raw", "b.vhd", "--to", "fixed", "--block-size", "2M")]
    [InlineData("missing CHILD", "snapshot", "a.vhd")]
    [InlineData("unknown option '--force' for 'commit'", "commit", "c.vhd", "--force")]
    public void UsageErrorsExit2WithMessageAndUsage(string message, params string[] args)
    {
        var r = Vhd.Run(args);
        Assert.Equal(2, r.ExitCode);
        var lines = r.ErrLines;
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("vhd: ", lines[0]);
        Assert.Contains(message, lines[0]);
        Assert.StartsWith("usage: vhd ", lines[1]);
        Assert.Equal("", r.Out);
    }
}
