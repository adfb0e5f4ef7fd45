using Storage.Tests.Engine.Support;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;
using Storage.VhdEngine.Maintenance;
using Xunit;

namespace Storage.Tests.Engine;

/// <summary>ChainScanner.ScanChains: trees under a folder, with broken links and id mismatches reported.</summary>
public sealed class ChainScanTests
{
    [Fact]
    public void Trees_broken_links_and_id_mismatches_are_reported()
    {
        var fs = Img.NewFs();
        using (var b = VirtualDisk.Create(fs, "/d/base.vhd", new VhdCreateOptions { Size = 4 * Img.M, BlockSize = 512 * Img.K }))
        {
            b.Write(0, Img.Random(1, 600 * Img.K));
            b.Flush();
        }
        fs.Directory.CreateDirectory("/d/sub");
        Committer.Snapshot(fs, "/d/base.vhd", "/d/sub/c1.vhd").Dispose();
        Committer.Snapshot(fs, "/d/sub/c1.vhd", "/d/c2.vhd").Dispose();
        using (VirtualDisk.Create(fs, "/d/other.vhd", new VhdCreateOptions { Size = 4 * Img.M })) { }
        using (VirtualDisk.CreateDifferencing(fs, "/d/lost.vhd", "/d/other.vhd")) { }
        using (VirtualDisk.CreateDifferencing(fs, "/d/wrong.vhd", "/d/base.vhd")) { }
        fs.File.Delete("/d/other.vhd");
        // wrong.vhd's parent replaced by another image under the same name.
        fs.File.SetAttributes("/d/base.vhd", FileAttributes.Normal);
        var copy = fs.File.ReadAllBytes("/d/base.vhd");
        Img.PatchFooters(copy, f => f with { UniqueId = Guid.NewGuid() });
        fs.File.WriteAllBytes("/d/base.vhd", copy);
        fs.File.WriteAllText("/d/notes.vhd", "not an image");

        var report = ChainScanner.ScanChains(fs, "/d");
        var byPath = report.Images.ToDictionary(i => i.Path);
        Assert.Equal(["/d/base.vhd", "/d/sub/c1.vhd", "/d/c2.vhd", "/d/wrong.vhd"], report.Images.Select(i => i.Path).Where(p => p != "/d/lost.vhd" && p != "/d/notes.vhd"));
        Assert.Equal(["/d/sub/c1.vhd", "/d/wrong.vhd"], byPath["/d/base.vhd"].Children);
        Assert.Equal(VhdDiskType.Dynamic, byPath["/d/base.vhd"].Type);
        Assert.Equal(2 * 512 * Img.K, byPath["/d/base.vhd"].AllocatedBytes);
        Assert.Contains("broken link", byPath["/d/lost.vhd"].Problem);
        Assert.Contains("parent id mismatch", byPath["/d/wrong.vhd"].Problem);
        Assert.Contains("parent id mismatch", byPath["/d/sub/c1.vhd"].Problem);
        Assert.Contains("does not open", byPath["/d/notes.vhd"].Problem);
        Assert.Null(byPath["/d/c2.vhd"].Problem);
        Assert.Equal(4, report.Problems.Count());
    }

    [Fact]
    public void A_child_whose_footer_copy_is_damaged_is_judged_by_the_footer_in_force()
    {
        var fs = Img.NewFs();
        using (VirtualDisk.Create(fs, "/d/base.vhd", new VhdCreateOptions { Size = 4 * Img.M })) { }
        using (VirtualDisk.CreateDifferencing(fs, "/d/child.vhd", "/d/base.vhd")) { }
        // The end footer still holds: the image opens, its header names base.vhd's id.
        var bytes = fs.File.ReadAllBytes("/d/child.vhd");
        bytes.AsSpan(0, VhdConstants.FooterSize).Clear();
        fs.File.WriteAllBytes("/d/child.vhd", bytes);

        var report = ChainScanner.ScanChains(fs, "/d");

        Assert.Null(report.Images.Single(i => i.Path == "/d/child.vhd").Problem);
    }
}
