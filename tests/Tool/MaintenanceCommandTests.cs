using System.Text.Json;
using Xunit;

namespace Storage.Tests.Tool;

/// <summary>`vhd compact` and `vhd resize` as a script sees them: --json, exit codes, one-line errors naming the image.</summary>
public class MaintenanceCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Compact_reports_the_bytes_reclaimed_and_keeps_the_content()
    {
        string image = _dir["a.vhd"];
        Vhd.Ok("create", image, "--size", "16M");
        var data = ReadWriteTests.Random(3 * 1024 * 1024, 5);
        Vhd.RunWithInput(data, "write", image, "--offset", "0");
        Vhd.RunWithInput(new byte[2 * 1024 * 1024], "write", image, "--offset", "2M");
        Array.Clear(data, 2 * 1024 * 1024, 1024 * 1024);
        long before = new FileInfo(image).Length;
        using var doc = JsonDocument.Parse(Vhd.Ok("compact", image, "--json").Out);
        long reclaimed = doc.RootElement.GetProperty("bytesReclaimed").GetInt64();
        Assert.Equal(2 * 1024 * 1024 + 512, reclaimed);
        Assert.Equal(1, doc.RootElement.GetProperty("blocksFreed").GetInt32());
        Assert.Equal(before - reclaimed, new FileInfo(image).Length);
        Assert.Equal(data, Vhd.Ok("read", image, "--offset", "0", "--length", "3M").Bytes);
        Assert.Contains("0 bytes reclaimed", Vhd.Ok("compact", image).Out);
    }

    [Fact]
    public void Compacting_a_fixed_image_or_a_parent_is_a_one_line_error()
    {
        string fixedImage = _dir["f.vhd"], parent = _dir["p.vhd"], child = _dir["c.vhd"];
        Vhd.Ok("create", fixedImage, "--size", "1M", "--type", "fixed");
        var r = Vhd.Run("compact", fixedImage);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("fixed image", Assert.Single(r.ErrLines));
        Vhd.Ok("create", parent, "--size", "4M");
        Vhd.Ok("snapshot", parent, child);
        r = Vhd.Run("compact", parent);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(child, Assert.Single(r.ErrLines));
    }

    [Fact]
    public void Resize_grows_and_refuses_to_shrink_over_data()
    {
        string image = _dir["a.vhd"];
        Vhd.Ok("create", image, "--size", "8M", "--exact-size");
        Vhd.RunWithInput(ReadWriteTests.Random(4096, 6), "write", image, "--offset", "6M");
        using (var doc = JsonDocument.Parse(Vhd.Ok("resize", image, "--size", "1G", "--json").Out))
            Assert.Equal(1L << 30, doc.RootElement.GetProperty("newSize").GetInt64());
        var r = Vhd.Run("resize", image, "--size", "4M");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("--allow-shrink", Assert.Single(r.ErrLines));
        r = Vhd.Run("resize", image, "--size", "4M", "--allow-shrink");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("block 3", Assert.Single(r.ErrLines));
        Assert.Contains("-> 8388608 bytes", Vhd.Ok("resize", image, "--size", "8M", "--allow-shrink").Out);
        Assert.Equal(2, Vhd.Run("resize", image).ExitCode);
    }
}
