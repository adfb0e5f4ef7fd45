using Xunit;

namespace Storage.Tests.Tool;

/// <summary>The command line (System.CommandLine): help, version, completion, and usage errors that exit 2.</summary>
public class UsageTests
{
    private static readonly string[] CommandNames =
        ["create", "info", "read", "write", "convert", "snapshot", "commit", "check", "repair", "crashtest", "bench", "completion"];

    [Theory]
    [InlineData("--help")]
    [InlineData("help")]
    [InlineData("-h")]
    public void HelpListsEveryCommand(string arg)
    {
        var r = Vhd.Ok(arg);
        var commands = r.Out[r.Out.IndexOf("Commands:", StringComparison.Ordinal)..];
        foreach (var c in CommandNames)
            Assert.Matches($"(?m)^  {c} ", commands);
        Assert.Contains("Usage:", r.Out);
        Assert.Equal("", r.Err);
    }

    [Fact]
    public void VersionAndCommandHelp()
    {
        Assert.Matches(@"^vhd \d+\.\d+\.\d+\r?\n$", Vhd.Ok("--version").Out);
        var convert = Vhd.Ok("convert", "--help").Out;
        Assert.Contains(" convert <SOURCE> <TARGET> [options]", convert); // "vhd" from the executable's name: testhost here
        Assert.Contains("-O, --to <raw|dynamic|fixed> (REQUIRED)", convert);
        Assert.Contains("--ignore-checksums", convert);
        Assert.Equal(Vhd.Ok("info", "--help").Out, Vhd.Ok("help", "info").Out);
        Assert.Contains("--ignore-checksums", Vhd.Ok("help", "info").Out);
    }

    [Theory]
    [InlineData("bash", "complete -o default -F _vhd_complete vhd")]
    [InlineData("zsh", "compdef _vhd_complete vhd")]
    public void CompletionScriptsAskTheToolThroughTheSuggestDirective(string shell, string line)
    {
        var script = Vhd.Ok("completion", shell).Out;
        Assert.Contains(line, script);
        Assert.Contains("[suggest:", script);
    }

    [Fact]
    public void TheSuggestDirectiveCompletesCommandsAndOptions()
    {
        var commands = Vhd.Ok("[suggest:5]", "vhd c").Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains("create", commands);
        Assert.Contains("convert", commands);
        Assert.Contains("crashtest", commands);
        Assert.DoesNotContain("info", commands);
        var options = Vhd.Ok("[suggest:16]", "vhd info x.vhd --").Out;
        Assert.Contains("--ignore-checksums", options);
        Assert.Contains("--json", options);
    }

    [Theory]
    [InlineData("Required command was not provided")]
    [InlineData("Unrecognized command or argument 'frob'", "frob")]
    [InlineData("Unrecognized command or argument '--frob'", "--frob")]
    [InlineData("Unrecognized command or argument '--colour'", "info", "x.vhd", "--colour")]
    [InlineData("Required argument 'IMAGE' missing for command: 'info'", "info")]
    [InlineData("Option '--size' is required", "create", "x.vhd")]
    [InlineData("bad value for --size: '12Q'", "create", "x.vhd", "--size", "12Q")]
    [InlineData("bad value for --size: '1.5G'", "create", "x.vhd", "--size", "1.5G")]
    [InlineData("Required argument missing for option: '--size'", "create", "x.vhd", "--size")]
    [InlineData("Option '--size' expects a single argument but 2 were provided", "create", "x.vhd", "--size", "1M", "--size=2M")]
    [InlineData("bad value for --type: 'sparse' (expected dynamic, fixed)", "create", "x.vhd", "--size", "1M", "--type", "sparse")]
    [InlineData("--block-size applies to dynamic images only", "create", "x.vhd", "--size", "1M", "--type", "fixed", "--block-size", "2M")]
    [InlineData("Unrecognized command or argument 'yes'", "create", "x.vhd", "--size", "1M", "--exact-size=yes")]
    [InlineData("Unrecognized command or argument 'y.vhd'", "info", "x.vhd", "y.vhd")]
    [InlineData("Unrecognized command or argument '--force-share'", "write", "x.vhd", "--offset", "0", "--force-share")]
    [InlineData("Unrecognized command or argument '--force-share'", "commit", "c.vhd", "--force-share")]
    [InlineData("bad value for --offset: 'ten'", "read", "x.vhd", "--offset", "ten", "--length", "1")]
    [InlineData("Option '--length' is required", "read", "x.vhd", "--offset", "0")]
    [InlineData("Option '--offset' is required", "write", "x.vhd")]
    [InlineData("Required argument 'TARGET' missing for command: 'convert'", "convert", "a.raw", "--to", "raw")]
    [InlineData("Option '--to' is required", "convert", "a.raw", "b.vhd")]
    [InlineData("bad value for --to: 'vmdk'", "convert", "a.raw", "b.vhd", "--to", "vmdk")]
    [InlineData("bad value for --from: 'qcow2'", "convert", "a.raw", "b.vhd", "-O", "raw", "-f", "qcow2")]
    [InlineData("--block-size applies to --to dynamic only", "convert", "a.raw", "b.vhd", "--to", "fixed", "--block-size", "2M")]
    [InlineData("Required argument 'CHILD' missing for command: 'snapshot'", "snapshot", "a.vhd")]
    [InlineData("Unrecognized command or argument '--json'", "commit", "c.vhd", "--json")]
    [InlineData("Unrecognized command or argument '--ignore-checksums'", "write", "c.vhd", "--offset", "0", "--ignore-checksums")]
    [InlineData("bad value for -d: 0 (expected 1 to 4096)", "bench", "x.vhd", "-d", "0")]
    [InlineData("--flush-interval applies to writes (-w) only", "bench", "x.vhd", "--flush-interval", "3")]
    [InlineData("unknown command 'frob'", "help", "frob")]
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

    [Theory]
    [InlineData("usage: vhd create IMAGE --size SIZE [options]", "create", "x.vhd")]
    [InlineData("usage: vhd convert SOURCE TARGET --to raw|dynamic|fixed [options]", "convert", "a.raw")]
    [InlineData("usage: vhd <command> [arguments]  (vhd --help lists the commands)")]
    public void TheUsageLineNamesTheArgumentsAndRequiredOptions(string usage, params string[] args) =>
        Assert.Equal(usage, Vhd.Run(args).ErrLines[1]);
}
