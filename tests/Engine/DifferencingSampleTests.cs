using Storage.Tests.Engine.Support;
using Storage.VhdEngine.Disks;
using Xunit;

namespace Storage.Tests.Engine;

/// <summary>The Windows-made differencing sample: per-sector bitmap bits, MSB first.</summary>
public class DifferencingSampleTests(SamplesFixture samples) : IClassFixture<SamplesFixture>
{
    private static readonly int[] ChildSectors = [134, 143, 152, 153, 154, 155, 156, 157, 158, 159, 184, 185, 188, 190, 191, 192, 194, 196];

    [Fact]
    public void FatDifferentialTakesExactlyTheSectorsWhoseBitsAreSet()
    {
        var fs = Img.NewFs();
        var child = samples.Bytes("fat-differential.vhd");
        fs.File.WriteAllBytes("/d/fat-differential.vhd", child);
        var parentData = Enumerable.Range(0, 4194304).Select(i => (byte)(i / 512 * 7 + 1)).ToArray();
        using (var p = VirtualDisk.Create(fs, "/d/fat-parent.vhd", new VhdCreateOptions
        {
            Size = 4194304, ExactSize = true, UniqueId = Guid.Parse("5fa21a55f394aa4d99581951a67d5540"),
        }))
        {
            p.Write(0, parentData);
            p.Flush();
        }
        using var d = VirtualDisk.Open(fs, "/d/fat-differential.vhd");
        Assert.Equal(4194304, d.Length);
        Assert.Equal("/d/fat-parent.vhd", d.Parent!.Path);
        var all = Img.ReadAll(d);
        long blockData = 159L * 512 + 512;
        for (int s = 0; s < 8192; s++)
        {
            var expected = ChildSectors.Contains(s)
                ? child.AsSpan((int)(blockData + s * 512L), 512)
                : parentData.AsSpan(s * 512, 512);
            Assert.True(expected.SequenceEqual(all.AsSpan(s * 512, 512)), $"sector {s}");
        }
        Assert.Equal(fs.File.ReadAllBytes("/d/fat-differential.vhd"), child);
    }
}
