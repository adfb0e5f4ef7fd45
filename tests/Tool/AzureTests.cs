using Xunit;

namespace Storage.Tests.Tool;

/// <summary>`vhd create --type fixed --azure` and `vhd check --azure`.</summary>
public class AzureTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void An_azure_image_is_fixed_a_whole_number_of_MiB_and_checks_clean()
    {
        string image = _dir["az.vhd"];
        Vhd.Ok("create", image, "--size", "30000000", "--type", "fixed", "--azure");
        Assert.Equal(29L * 1024 * 1024 + 512, new FileInfo(image).Length);
        Assert.Contains("no errors", Vhd.Ok("check", image, "--azure").Out);
    }

    [Fact]
    public void Check_azure_names_each_rule_broken()
    {
        string dynamicImage = _dir["d.vhd"], small = _dir["s.vhd"];
        Vhd.Ok("create", dynamicImage, "--size", "30000000");
        var r = Vhd.Run("check", dynamicImage, "--azure");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("fixed images only", r.Out);
        Assert.Contains("not a whole number of MiB", r.Out);
        Vhd.Ok("create", small, "--size", "4M", "--type", "fixed", "--exact-size");
        r = Vhd.Run("check", small, "--azure");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("outside 20971520", r.Out);
        Assert.Contains("no errors", Vhd.Ok("check", small).Out);
    }

    [Fact]
    public void Create_azure_refuses_a_dynamic_image_or_a_size_azure_refuses()
    {
        Assert.Equal(2, Vhd.Run("create", _dir["a.vhd"], "--size", "64M", "--azure").ExitCode);
        var r = Vhd.Run("create", _dir["b.vhd"], "--size", "1M", "--type", "fixed", "--azure");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("20M .. 32T", r.Err);
        Assert.False(File.Exists(_dir["b.vhd"]));
    }
}
