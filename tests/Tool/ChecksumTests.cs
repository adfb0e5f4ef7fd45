using System.Security.Cryptography;
using System.Text.Json;
using Xunit;

namespace Storage.Tests.Tool;

/// <summary>
/// --ignore-checksums on the read-only commands, with the dfvfs sample image-differential.vhd
/// (and its parent image.vhd), whose checksums were not updated when they were edited.
/// </summary>
public sealed class ChecksumTests : IDisposable
{
    private const string ContentSha256 = "c6db12a7db548e193c29420c1b4533e4708b20c5033db5cc29ef075d48316d25";
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Samples()
    {
        foreach (var name in new[] { "image.vhd", "image-differential.vhd" })
            Sample.Decompress(name, _dir[name]);
        return _dir["image-differential.vhd"];
    }

    [Fact]
    public void Without_the_flag_the_refusal_names_both_checksums_and_the_flag()
    {
        string image = Samples();
        var r = Vhd.Run("info", image);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal($"vhd: {image}: footer checksum: 0xfffff683 does not match the computed 0xffffeeb6 (--ignore-checksums reads it anyway)", Assert.Single(r.ErrLines));
    }

    [Fact]
    public void With_the_flag_info_read_check_and_convert_work_and_warn()
    {
        string image = Samples();
        var info = JsonDocument.Parse(Vhd.Ok("info", image, "--ignore-checksums", "--json").Out).RootElement;
        Assert.Equal("differencing", info.GetProperty("type").GetString());
        Assert.Equal(_dir["image.vhd"], info.GetProperty("parent").GetString());
        Assert.Contains(info.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.StartsWith("footer checksum 0xfffff683", StringComparison.Ordinal));

        var read = Vhd.Ok("read", image, "--offset", "0", "--length", "104448", "--ignore-checksums");
        Assert.Equal(ContentSha256, Convert.ToHexStringLower(SHA256.HashData(read.Bytes)));

        var check = JsonDocument.Parse(Vhd.Ok("check", image, "--ignore-checksums", "--json").Out).RootElement;
        Assert.True(check.GetProperty("clean").GetBoolean());
        Assert.NotEqual(0, check.GetProperty("warnings").GetArrayLength());
        Assert.Equal(1, Vhd.Run("check", image).ExitCode);

        Vhd.Ok("convert", image, _dir["flat.raw"], "--to", "raw", "--ignore-checksums");
        Assert.Equal(ContentSha256, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(_dir["flat.raw"]))));
    }
}
