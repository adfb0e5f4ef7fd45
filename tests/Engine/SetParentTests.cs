using System.IO.Abstractions;
using Storage.Tests.Engine.Support;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Maintenance;
using Xunit;

namespace Storage.Tests.Engine;

/// <summary>Reparenter: a child whose parent moved is relinked after the id check; a wrong parent is refused with nothing written.</summary>
public sealed class SetParentTests
{
    private const string Base = "/d/base.vhd";
    private const string Child = "/d/c.vhd";

    private static (IFileSystem Fs, byte[] View) Chain()
    {
        var fs = Img.NewFs();
        using (var b = VirtualDisk.Create(fs, Base, new VhdCreateOptions { Size = 4 * Img.M, BlockSize = 512 * Img.K }))
        {
            b.Write(0, Img.Random(1, 3 * Img.M));
            b.Flush();
        }
        using (var c = Committer.Snapshot(fs, Base, Child))
        {
            c.Write(Img.M + 512, Img.Random(2, 5120));
            c.Flush();
        }
        using var r = VirtualDisk.Open(fs, Child);
        return (fs, Img.ReadAll(r));
    }

    [Fact]
    public void A_child_whose_parent_moved_is_relinked_and_reads_the_same()
    {
        var (fs, view) = Chain();
        fs.Directory.CreateDirectory("/e/f");
        fs.File.Move(Base, "/e/f/moved.vhd");
        Assert.ThrowsAny<VhdException>(() => VirtualDisk.Open(fs, Child).Dispose());
        Reparenter.SetParent(fs, Child, "/e/f/moved.vhd");
        using (var c = VirtualDisk.Open(fs, Child))
        {
            Assert.Equal(view, Img.ReadAll(c));
            Assert.Equal("/e/f/moved.vhd", ((DifferencingDisk)c).ParentPath);
        }
        Assert.Empty(Checker.Check(fs, Child).Errors);
        // Moved again, together: the relative locator finds it.
        fs.Directory.CreateDirectory("/g");
        fs.File.Move(Child, "/e/c.vhd");
        using var again = VirtualDisk.Open(fs, "/e/c.vhd");
        Assert.Equal(view, Img.ReadAll(again));
    }

    [Fact]
    public void The_wrong_parent_is_refused_naming_both_ids_and_nothing_is_written()
    {
        var (fs, _) = Chain();
        using (VirtualDisk.Create(fs, "/d/other.vhd", new VhdCreateOptions { Size = 4 * Img.M })) { }
        var bytes = fs.File.ReadAllBytes(Child);
        var e = Assert.Throws<VhdException>(() => Reparenter.SetParent(fs, Child, "/d/other.vhd"));
        Assert.Contains("--ignore-id-mismatch", e.Message, StringComparison.Ordinal);
        Assert.Contains("/d/other.vhd", e.Message, StringComparison.Ordinal);
        Assert.Equal(bytes, fs.File.ReadAllBytes(Child));

        Reparenter.SetParent(fs, Child, "/d/other.vhd", ignoreIdMismatch: true);
        using var c = VirtualDisk.Open(fs, Child);
        var expected = new byte[4 * Img.M];
        Img.Random(2, 5120).CopyTo(expected, Img.M + 512);
        Assert.Equal(expected, Img.ReadAll(c).AsSpan(0, expected.Length).ToArray());
    }

    [Fact]
    public void Not_a_differencing_image_itself_or_a_cycle_is_refused()
    {
        var (fs, _) = Chain();
        Assert.Throws<VhdException>(() => Reparenter.SetParent(fs, Base, Child));
        Assert.Throws<ArgumentException>(() => Reparenter.SetParent(fs, Child, Child));
        using (var c2 = VirtualDisk.CreateDifferencing(fs, "/d/c2.vhd", Child)) { }
        // c2's chain leads back to the child, which is locked while it is relinked.
        Assert.ThrowsAny<VhdException>(() => Reparenter.SetParent(fs, Child, "/d/c2.vhd", ignoreIdMismatch: true));
        using var r = VirtualDisk.Open(fs, Child);
        Assert.Equal(Base, ((DifferencingDisk)r).ParentPath);
    }
}
