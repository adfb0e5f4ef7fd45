using Xunit;

namespace Storage.Tests.Tool;

/// <summary>The built executable: real exit codes, real stderr, real pipes.</summary>
public class ProcessTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void HostileImageExits1WithOneLine()
    {
        string image = HostileInputTests.PatchedDynamic(_dir, Storage.VhdEngine.Format.DynamicHeaderFieldLocations.BlockSize + 1, 0x30, fixChecksum: true);
        var r = Vhd.Exec(null, "info", image);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("", r.Out);
        Assert.Matches($"^vhd: {System.Text.RegularExpressions.Regex.Escape(image)}: block size: [^\n]*\n$", r.Err);
        Assert.DoesNotContain(" at ", r.Err.Replace("at offset", ""));
    }

    [Fact]
    public void UsageErrorExits2AndPipesCarryData()
    {
        var r = Vhd.Exec(null, "create", _dir["a.vhd"], "--size", "1X");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(2, r.ErrLines.Length);
        Assert.StartsWith("vhd: bad value for --size", r.ErrLines[0]);

        Assert.Equal(0, Vhd.Exec(null, "create", _dir["a.vhd"], "--size", "4M").ExitCode);
        var data = ReadWriteTests.Random(1_500_000, 30);
        var w = Vhd.Exec(data, "write", _dir["a.vhd"], "--offset", "512");
        Assert.Equal(0, w.ExitCode);
        Assert.Equal("", w.Out + w.Err);
        var read = Vhd.Exec(null, "read", _dir["a.vhd"], "--offset", "512", "--length", data.Length.ToString());
        Assert.Equal(0, read.ExitCode);
        Assert.Equal(data, read.Bytes);
    }
}
