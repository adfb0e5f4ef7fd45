using System.IO.Abstractions;
using Storage.Tests.Engine.Support;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;
using Storage.VhdEngine.Maintenance;
using Xunit;

namespace Storage.Tests.Engine;

/// <summary>
/// Commit never silently changes another image (DESIGN.md §10): base &lt;- c1 and base &lt;- c2,
/// two snapshots of one frozen base. Committing c1 is refused, naming c2, with every file's bytes
/// unchanged; forced, base gets a new unique id first and c2 refuses to open instead of reading
/// c1's data.
/// </summary>
public sealed class CommitSiblingTests
{
    private const string Base = "/d/base.vhd";
    private const string C1 = "/d/c1.vhd";
    private const string C2 = "/d/c2.vhd";

    internal static IFileSystem Siblings(string c2 = C2)
    {
        var fs = Img.NewFs();
        using (var b = VirtualDisk.Create(fs, Base, new VhdCreateOptions { Size = 4 * Img.M, BlockSize = 512 * Img.K }))
        {
            b.Write(0, Img.Random(1, 4096));
            b.Flush();
        }
        using (var c = Committer.Snapshot(fs, Base, C1))
        {
            c.Write(1000, Img.Random(2, 3000));
            c.Flush();
        }
        if (fs.Path.GetDirectoryName(c2) is { } dir) fs.Directory.CreateDirectory(dir);
        using (var c = VirtualDisk.CreateDifferencing(fs, c2, Base))
        {
            c.Write(600_000, Img.Random(3, 512));
            c.Flush();
        }
        return fs;
    }

    private static byte[] View(IFileSystem fs, string path)
    {
        using var d = VirtualDisk.Open(fs, path);
        return Img.ReadAll(d);
    }

    private static Dictionary<string, byte[]> Bytes(IFileSystem fs) =>
        fs.Directory.GetFiles("/d").ToDictionary(f => f, f => fs.File.ReadAllBytes(f));

    [Fact]
    public void A_commit_into_a_parent_with_another_child_is_refused_naming_it_and_writes_nothing()
    {
        var fs = Siblings();
        var before = Bytes(fs);
        var e = Assert.Throws<VhdException>(() => Committer.Commit(fs, C1, new CommitOptions { KeepChild = false }));
        Assert.Contains(C2, e.Message, StringComparison.Ordinal);
        Assert.Contains(Base, e.Message, StringComparison.Ordinal);
        Assert.Contains("--force", e.Message, StringComparison.Ordinal);
        var after = Bytes(fs);
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        foreach (var (path, bytes) in before) Assert.True(bytes.AsSpan().SequenceEqual(after[path]), $"{path} changed");
        Assert.True((fs.File.GetAttributes(Base) & FileAttributes.ReadOnly) != 0, "the base is still frozen");
    }

    [Fact]
    public void A_sibling_whose_footer_copy_is_damaged_is_still_found_by_its_end_footer()
    {
        var fs = Siblings();
        // c2's copy at offset 0 is gone; its end footer, the one in force, still names it a child of base.
        var bytes = fs.File.ReadAllBytes(C2);
        bytes.AsSpan(0, VhdConstants.FooterSize).Clear();
        fs.File.WriteAllBytes(C2, bytes);
        var before = Bytes(fs);
        var e = Assert.Throws<VhdException>(() => Committer.Commit(fs, C1, new CommitOptions { KeepChild = false }));
        Assert.Contains(C2, e.Message, StringComparison.Ordinal);
        var after = Bytes(fs);
        foreach (var (path, b) in before) Assert.True(b.AsSpan().SequenceEqual(after[path]), $"{path} changed");
    }

    [Fact]
    public void A_child_in_another_folder_open_in_this_process_is_named_too()
    {
        var fs = Siblings(c2: "/elsewhere/c2.vhd");
        using var open = VirtualDisk.Open(fs, "/elsewhere/c2.vhd");
        var e = Assert.Throws<VhdException>(() => Committer.Commit(fs, C1, new CommitOptions { KeepChild = false }));
        Assert.Contains("/elsewhere/c2.vhd", e.Message, StringComparison.Ordinal);
        // Forced, the open sibling still holds the parent shared: the lock refuses.
        Assert.Throws<VhdImageInUseException>(() => Committer.Commit(fs, C1, new CommitOptions { Force = true }));
        Assert.True(fs.File.Exists(C1));
    }

    [Fact]
    public void A_forced_commit_gives_the_parent_a_new_id_and_the_sibling_refuses_to_open()
    {
        var fs = Siblings();
        var c1View = View(fs, C1);
        Guid oldId = Img.Load(fs, Base).Footer.UniqueId;
        Committer.Commit(fs, C1, new CommitOptions { Force = true });
        Assert.False(fs.File.Exists(C1));
        var parent = Img.Load(fs, Base);
        Assert.NotEqual(oldId, parent.Footer.UniqueId);
        Assert.Equal(c1View, View(fs, Base));
        var e = Assert.Throws<VhdFormatException>(() => VirtualDisk.Open(fs, C2));
        Assert.Equal("parent unique id", e.Field);
        Assert.Contains(Base, e.Message, StringComparison.Ordinal);
        Assert.Contains(oldId.ToString("N"), e.Message, StringComparison.Ordinal);
        Assert.Empty(Checker.Check(fs, Base).Errors);
    }

    [Fact]
    public void A_kept_child_is_re_pointed_at_the_new_id_and_reads_what_it_read()
    {
        var fs = Siblings();
        var c1View = View(fs, C1);
        Committer.Commit(fs, C1, new CommitOptions { Force = true, KeepChild = true });
        Assert.Equal(c1View, View(fs, C1));
        Assert.Equal(c1View, View(fs, Base));
        var c1 = Img.Load(fs, C1);
        Assert.Equal(Img.Load(fs, Base).Footer.UniqueId, c1.Header!.ParentUniqueId);
        var report = Checker.Check(fs, C1);
        Assert.Empty(report.Errors);
        Assert.DoesNotContain(report.Warnings, w => w.Contains("forced commit", StringComparison.Ordinal));
        Assert.Throws<VhdFormatException>(() => VirtualDisk.Open(fs, C2));
        Assert.True((fs.File.GetAttributes(Base) & FileAttributes.ReadOnly) != 0, "a kept child keeps its parent frozen");
    }

    [Fact]
    public void Without_siblings_a_commit_needs_no_force_and_keeps_the_parent_id()
    {
        var fs = Siblings();
        fs.File.Delete(C2);
        Guid id = Img.Load(fs, Base).Footer.UniqueId;
        Committer.Commit(fs, C1, new CommitOptions { KeepChild = true });
        Assert.Equal(id, Img.Load(fs, Base).Footer.UniqueId);
        Assert.Equal(View(fs, C1), View(fs, Base));
    }
}
