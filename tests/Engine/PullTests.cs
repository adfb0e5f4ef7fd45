using Storage.Tests.Engine.Support;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;
using Storage.VhdEngine.Maintenance;
using Xunit;

namespace Storage.Tests.Engine;

/// <summary>Puller: a differencing image takes its parents' data and stands alone as a dynamic image, reading the same.</summary>
public sealed class PullTests
{
    [Fact]
    public void A_child_of_a_two_level_chain_stands_alone_reading_the_same()
    {
        var fs = Img.NewFs();
        using (var b = VirtualDisk.Create(fs, "/d/base.vhd", new VhdCreateOptions { Size = 4 * Img.M, BlockSize = 512 * Img.K }))
        {
            b.Write(0, Img.Random(1, 3 * Img.M));
            b.Flush();
        }
        using (var m = Committer.Snapshot(fs, "/d/base.vhd", "/d/mid.vhd"))
        {
            m.Write(600 * Img.K, Img.Random(2, 100 * Img.K));
            m.Flush();
        }
        using (var c = Committer.Snapshot(fs, "/d/mid.vhd", "/d/c.vhd"))
        {
            c.Write(2048, Img.Random(3, 4096));
            c.Flush();
        }
        byte[] view;
        using (var c = VirtualDisk.Open(fs, "/d/c.vhd")) view = Img.ReadAll(c);
        long copied = Puller.Pull(fs, "/d/c.vhd");
        Assert.True(copied >= 3 * Img.M - 4096, $"{copied}");
        fs.File.SetAttributes("/d/mid.vhd", FileAttributes.Normal);
        fs.File.Delete("/d/mid.vhd");
        using (var c = VirtualDisk.Open(fs, "/d/c.vhd"))
        {
            Assert.Equal(VhdDiskType.Dynamic, c.Footer.DiskType);
            Assert.Equal(view, Img.ReadAll(c));
        }
        var report = Checker.Check(fs, "/d/c.vhd");
        Assert.Empty(report.Errors);
        Assert.Empty(report.Warnings);
        // No longer a child: the base may be compacted without --force.
        Assert.Empty(ChainScanner.FindChildren(fs, "/d/base.vhd", Img.Load(fs, "/d/base.vhd").Footer.UniqueId, ["/d"]));
    }

    [Fact]
    public void A_dynamic_image_has_nothing_to_pull()
    {
        var fs = Img.Put(Img.Dynamic());
        var e = Assert.Throws<VhdException>(() => Puller.Pull(fs, "/d/x.vhd"));
        Assert.Contains("not a differencing", e.Message, StringComparison.Ordinal);
    }
}
