using Storage.VhdEngine.Format;
using Xunit;

namespace Storage.Tests.Tool;

public class HostileInputTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A dynamic image with one header byte changed (optionally with a matching checksum).</summary>
    internal static string PatchedDynamic(TempDir dir, int headerOffset, byte value, bool fixChecksum)
    {
        string image = dir["hostile.vhd"];
        Assert.Equal(0, Vhd.Run("create", image, "--size", "8M").ExitCode);
        var bytes = File.ReadAllBytes(image);
        bytes[512 + headerOffset] = value;
        if (fixChecksum)
            DynamicHeader.Read(bytes.AsSpan(512, 1024)).WithChecksum().Write(bytes.AsSpan(512, 1024));
        File.WriteAllBytes(image, bytes);
        return image;
    }

    [Theory]
    [InlineData(DynamicHeaderFieldLocations.Reserved2 + 10, 0x30, false, "dynamic header checksum")]
    [InlineData(DynamicHeaderFieldLocations.BlockSize + 1, 0x30, true, "block size")]
    [InlineData(DynamicHeaderFieldLocations.Cookie, (byte)'X', false, "dynamic header cookie")]
    [InlineData(DynamicHeaderFieldLocations.TableOffset + 4, 0x7F, true, "table offset")]
    [InlineData(DynamicHeaderFieldLocations.MaxTableEntries, 0x7F, true, "max table entries")]
    public void APatchedHeaderFailsWithOneLineNamingTheField(int offset, byte value, bool fixChecksum, string field)
    {
        string image = PatchedDynamic(_dir, offset, value, fixChecksum);
        foreach (var args in new[] { new[] { "info", image }, ["info", image, "--json"], ["read", image, "--offset", "0", "--length", "512"], ["convert", image, _dir["out.raw"], "--to", "raw"] })
        {
            var r = Vhd.Run(args);
            Assert.Equal(1, r.ExitCode);
            string line = Assert.Single(r.ErrLines);
            Assert.StartsWith($"vhd: {image}: {field}: ", line);
            Assert.Equal("", r.Out);
            Assert.False(File.Exists(_dir["out.raw"]));
        }
    }

    [Fact]
    public void ABrokenFooterIsNotMistakenForRaw()
    {
        string image = _dir["f.vhd"];
        Vhd.Ok("create", image, "--size", "1M", "--type", "fixed");
        var bytes = File.ReadAllBytes(image);
        bytes[bytes.Length - 512 + FooterFieldLocations.DiskType + 3] = 9;
        File.WriteAllBytes(image, bytes);
        var r = Vhd.Run("convert", image, _dir["out.vhd"], "--to", "dynamic");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("footer", Assert.Single(r.ErrLines));
        Assert.False(File.Exists(_dir["out.vhd"]));
        // Told it is raw, it is converted as raw: the footer becomes data.
        Vhd.Ok("convert", image, _dir["out.vhd"], "--to", "dynamic", "--from", "raw", "--exact-size");
        var read = Vhd.Ok("read", _dir["out.vhd"], "--offset", "0", "--length", bytes.Length.ToString()).Bytes;
        Assert.Equal(bytes, read);
    }

    [Fact]
    public void MissingFilesAndRangesAreOneLineErrors()
    {
        var r = Vhd.Run("info", _dir["none.vhd"]);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("no such image file", Assert.Single(r.ErrLines));
        string image = _dir["a.vhd"];
        Vhd.Ok("create", image, "--size", "1M");
        r = Vhd.Run("read", image, "--offset", "1M", "--length", "1M");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("outside the disk", Assert.Single(r.ErrLines));
        r = Vhd.Run("write", image, "--offset", "0", "--input", _dir["missing.bin"]);
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith("vhd: ", Assert.Single(r.ErrLines));
    }
}
