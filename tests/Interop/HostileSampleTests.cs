using Storage.Tests.Interop.Infrastructure;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Xunit;

namespace Storage.Tests.Interop;

/// <summary>Required case 7: the fuzzer-found afl5 image is refused, naming max table entries, and never written.</summary>
public class HostileSampleTests
{
    [Theory]
    [InlineData(FileAccess.Read)]
    [InlineData(FileAccess.ReadWrite)]
    public void Afl5IsRefusedNamingMaxTableEntries(FileAccess access)
    {
        using var dir = new TempDir("hostile");
        string image = dir.Unpack("hostile/afl5.img.bz2");
        byte[] before = File.ReadAllBytes(image);
        var e = Assert.Throws<VhdFormatException>(() => { using var d = VirtualDisk.Open(dir.Fs, image, access); });
        Assert.Contains("max table entries", e.Message);
        Assert.Contains("1073741825", e.Message);
        Assert.Equal(before, File.ReadAllBytes(image));
        Assert.Equal(["afl5.img"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }
}
