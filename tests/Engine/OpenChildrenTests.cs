using System.IO.Abstractions;
using Storage.Tests.Engine.Support;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Maintenance;
using Xunit;

namespace Storage.Tests.Engine;

/// <summary>
/// The children of a parent that are open in this process (which an operation rewriting the parent
/// names, DESIGN.md §10): those open over that parent on the same files, and no others.
/// </summary>
public sealed class OpenChildrenTests : IDisposable
{
    private const int M = 1 << 20, Block = 512 << 10;
    private readonly string _dir = Directory.CreateTempSubdirectory("vhd-children-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>A parent and its child on <paramref name="fs"/>; the parent's unique id.</summary>
    private static Guid ParentAndChild(IFileSystem fs, string parent, string child)
    {
        Guid id;
        using (var p = VirtualDisk.Create(fs, parent, new VhdCreateOptions { Size = 4 * M, BlockSize = Block }))
            id = p.Info.UniqueId;
        VirtualDisk.CreateDifferencing(fs, child, parent).Dispose();
        return id;
    }

    /// <summary>The children of <paramref name="parent"/> open in this process (no folder searched).</summary>
    private static IReadOnlyList<string> OpenChildrenOf(IFileSystem fs, string parent, Guid id) => ChainScanner.FindChildren(fs, parent, id, []);

    [Fact]
    public void The_open_children_of_a_parent_are_those_open_over_it_not_the_children_of_another_parent()
    {
        var fs = Img.NewFs();
        var id1 = ParentAndChild(fs, "/d/p1.vhd", "/d/c1.vhd");
        var id2 = ParentAndChild(fs, "/d/p2.vhd", "/d/c2.vhd");
        using var c1 = VirtualDisk.Open(fs, "/d/c1.vhd");
        using var c2 = VirtualDisk.Open(fs, "/d/c2.vhd");
        Assert.Equal(["/d/c1.vhd"], OpenChildrenOf(fs, "/d/p1.vhd", id1));
        Assert.Equal(["/d/c2.vhd"], OpenChildrenOf(fs, "/d/p2.vhd", id2));
    }

    [Fact]
    public void A_child_open_on_another_mock_file_system_at_the_same_path_is_not_a_child_here()
    {
        var a = Img.NewFs();
        var b = Img.NewFs();
        var idA = ParentAndChild(a, "/d/p.vhd", "/d/c.vhd");
        var idB = ParentAndChild(b, "/d/p.vhd", "/d/c.vhd");
        using var child = VirtualDisk.Open(a, "/d/c.vhd");
        Assert.Equal(["/d/c.vhd"], OpenChildrenOf(a, "/d/p.vhd", idA));
        Assert.Empty(OpenChildrenOf(b, "/d/p.vhd", idB));
    }

    [Fact]
    public void A_child_open_through_one_real_file_system_object_is_found_through_another()
    {
        string parent = Path.Combine(_dir, "p.vhd"), childPath = Path.Combine(_dir, "c.vhd");
        var id = ParentAndChild(new FileSystem(), parent, childPath);
        using var child = VirtualDisk.Open(new FileSystem(), childPath);
        Assert.Equal([childPath], OpenChildrenOf(new FileSystem(), parent, id));
    }
}
