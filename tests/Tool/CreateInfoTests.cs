using System.Globalization;
using System.Text.Json;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;
using Xunit;

namespace Storage.Tests.Tool;

public class CreateInfoTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static JsonElement Json(string image) => JsonDocument.Parse(Vhd.Ok("info", image, "--json").Out).RootElement;

    [Theory]
    [InlineData("64M", "dynamic", 64L << 20)]
    [InlineData("512K", "fixed", 512L << 10)]
    [InlineData("1G", "dynamic", 1L << 30)]
    [InlineData("3mb", "fixed", 3L << 20)]
    [InlineData("1048576", "dynamic", 1L << 20)]
    public void CreateRoundsUpToGeometry(string size, string type, long requested)
    {
        string image = _dir["a.vhd"];
        Vhd.Ok("create", image, "--size", size, "--type", type);
        var j = Json(image);
        Assert.Equal(type, j.GetProperty("type").GetString());
        long virtualSize = j.GetProperty("virtualSize").GetInt64();
        var (_, expected) = DiskGeometry.ForCreate(requested);
        Assert.Equal(expected, virtualSize);
        Assert.True(virtualSize >= requested);
        var g = j.GetProperty("geometry");
        Assert.Equal(virtualSize, (long)g.GetProperty("cylinders").GetInt32() * g.GetProperty("heads").GetInt32() * g.GetProperty("sectorsPerTrack").GetInt32() * 512);
    }

    [Fact]
    public void ExactSizeAndBlockSize()
    {
        string image = _dir["azure.vhd"];
        Vhd.Ok("create", image, "--size", "100M", "--exact-size", "--block-size", "512K");
        var j = Json(image);
        Assert.Equal(100L << 20, j.GetProperty("virtualSize").GetInt64());
        Assert.Equal(512 * 1024, j.GetProperty("blockSize").GetInt32());
        Assert.Equal(65535, j.GetProperty("geometry").GetProperty("cylinders").GetInt32());
        Assert.Equal(200, j.GetProperty("maxTableEntries").GetInt32());
    }

    [Fact]
    public void CreateRefusesAnExistingFileAndBadBlockSize()
    {
        string image = _dir["a.vhd"];
        Vhd.Ok("create", image, "--size", "1M");
        var r = Vhd.Run("create", image, "--size", "1M");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal($"vhd: {image}: already exists", r.Err.TrimEnd());
        r = Vhd.Run("create", _dir["b.vhd"], "--size", "4M", "--block-size", "3M");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("block size", Assert.Single(r.ErrLines));
        Assert.False(File.Exists(_dir["b.vhd"]));
    }

    [Fact]
    public void InfoJsonHasTheDocumentedFields()
    {
        string image = _dir["a.vhd"];
        Vhd.Ok("create", image, "--size", "10M", "--block-size", "1M");
        Vhd.RunWithInput(new byte[] { 1, 2, 3 }, "write", image, "--offset", "3M");
        var j = Json(image);
        Assert.Equal("dynamic", j.GetProperty("type").GetString());
        Assert.Equal(1 << 20, j.GetProperty("blockSize").GetInt32());
        Assert.Equal("svhd", j.GetProperty("creatorApp").GetString());
        Assert.Equal("1.0", j.GetProperty("creatorVersion").GetString());
        Assert.Matches("^[0-9a-f]{32}$", j.GetProperty("uniqueId").GetString());
        Assert.Equal(1, j.GetProperty("allocatedBlocks").GetInt32());
        Assert.Equal(new FileInfo(image).Length, j.GetProperty("fileSize").GetInt64());
        Assert.Equal(JsonValueKind.Null, j.GetProperty("parent").ValueKind);
        Assert.Equal([image], j.GetProperty("chain").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(0, j.GetProperty("warnings").GetArrayLength());
        var time = DateTime.Parse(j.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
        Assert.InRange(time, DateTime.UtcNow.AddMinutes(-10), DateTime.UtcNow.AddMinutes(1));
        using var disk = VirtualDisk.Open(new System.IO.Abstractions.FileSystem(), image);
        Assert.Equal(disk.Footer.UniqueId.ToString("N"), j.GetProperty("uniqueId").GetString());
        Assert.True(j.GetProperty("geometry").GetProperty("heads").GetInt32() > 0);
    }

    [Fact]
    public void InfoJsonOfFixedAndDifferencingImages()
    {
        string fixedImage = _dir["f.vhd"];
        Vhd.Ok("create", fixedImage, "--size", "2M", "--type", "fixed");
        var f = Json(fixedImage);
        Assert.Equal("fixed", f.GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Null, f.GetProperty("blockSize").ValueKind);
        Assert.Equal(f.GetProperty("virtualSize").GetInt64() + 512, f.GetProperty("fileSize").GetInt64());

        string child = _dir["child.vhd"];
        Vhd.Ok("snapshot", fixedImage, child);
        var c = Json(child);
        Assert.Equal("differencing", c.GetProperty("type").GetString());
        Assert.Equal(fixedImage, c.GetProperty("parent").GetString());
        Assert.Equal([child, fixedImage], c.GetProperty("chain").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(f.GetProperty("uniqueId").GetString(), c.GetProperty("parentUniqueId").GetString());
    }

    [Fact]
    public void InfoText()
    {
        string image = _dir["a.vhd"];
        Vhd.Ok("create", image, "--size", "1G");
        var text = Vhd.Ok("info", image).Out;
        Assert.Contains("type:            dynamic", text);
        Assert.Contains("(1 GiB)", text);
        Assert.Contains("block size:      2097152 (2 MiB)", text);
    }
}
