using Storage.Tests.Engine.Support;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;
using Xunit;

namespace Storage.Tests.Engine;

public class VirtualSizeRuleTests(SamplesFixture samples) : IClassFixture<SamplesFixture>
{
    private static VhdFooter Footer(string creator, DiskGeometry g, ulong current) => new()
    {
        CreatorApplication = FourCc.FromText(creator), Geometry = g, CurrentSize = current, OriginalSize = current,
    };

    private static readonly DiskGeometry Small = new(121, 4, 17); // 4212736 bytes

    [Theory]
    [InlineData("vpc ")]
    [InlineData("qemu")]
    public void VirtualPcAndQemuUseTheGeometry(string creator)
    {
        var f = Footer(creator, Small, 4194304);
        Assert.True(VirtualSizeRule.UsesGeometry(f));
        Assert.Equal(4212736ul, VirtualSizeRule.VirtualSize(f));
    }

    [Theory]
    [InlineData("vpc ")]
    [InlineData("qemu")]
    public void VirtualPcAndQemuWithMaximumGeometryUseTheCurrentSize(string creator)
    {
        var f = Footer(creator, DiskGeometry.Max, 3000000000000);
        Assert.False(VirtualSizeRule.UsesGeometry(f));
        Assert.Equal(3000000000000ul, VirtualSizeRule.VirtualSize(f));
    }

    [Theory]
    [InlineData("win ")]
    [InlineData("d2v")]
    [InlineData("qem2")]
    [InlineData("wa")]
    [InlineData("svhd")]
    [InlineData("vbox")]
    [InlineData("")]
    public void EveryoneElseUsesTheCurrentSize(string creator)
    {
        var f = Footer(creator, Small, 4194304);
        Assert.False(VirtualSizeRule.UsesGeometry(f));
        Assert.Equal(4194304ul, VirtualSizeRule.VirtualSize(f));
    }

    [Theory]
    [InlineData("virtualpc-dynamic.vhd", 136363130880L)]
    [InlineData("hyperv2012r2-dynamic.vhd", 136365211648L)]
    [InlineData("d2v-zerofilled.vhd", 263454720L)]
    [InlineData("ext2.vhd", 4212736L)]
    [InlineData("image.vhd", 104448L)]
    [InlineData("fat-differential.vhd", 4194304L)]
    public void SampleFootersGiveTheirDocumentedSizes(string name, long expected)
    {
        var bytes = new byte[512];
        using (var f = File.OpenRead(samples.Get(name)))
        {
            f.Position = f.Length - 512;
            f.ReadExactly(bytes);
        }
        Assert.Equal((ulong)expected, VirtualSizeRule.VirtualSize(VhdFooter.Read(bytes)));
    }

    [Theory]
    [InlineData("virtualpc-dynamic.vhd", 136363130880L)]
    [InlineData("hyperv2012r2-dynamic.vhd", 136365211648L)]
    [InlineData("ext2.vhd", 4212736L)]
    public void OpenedSamplesPresentThatLength(string name, long expected)
    {
        using var d = VirtualDisk.Open(new System.IO.Abstractions.FileSystem(), samples.Get(name));
        Assert.Equal(expected, d.Length);
    }
}
