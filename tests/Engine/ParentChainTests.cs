using System.IO.Abstractions.TestingHelpers;
using System.Text;
using Storage.Tests.Engine.Support;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;
using Xunit;

namespace Storage.Tests.Engine;

/// <summary>Differencing chains: parent identity, resolution, cycles, depth, allowed root and sharing.</summary>
public class ParentChainTests
{
    private const int K = 1024, M = 1024 * 1024;

    private static MockFileSystem BaseAndChild(out byte[] baseData)
    {
        var fs = Img.NewFs();
        baseData = Img.Random(1, 4000);
        using (var b = VirtualDisk.Create(fs, "/d/base.vhd", new VhdCreateOptions { Size = M, BlockSize = 512 * K }))
        {
            b.Write(100, baseData);
            b.Flush();
        }
        using (var c = VirtualDisk.CreateDifferencing(fs, "/d/child.vhd", "/d/base.vhd"))
        {
            c.Write(2000, [1, 2, 3]);
            c.Flush();
        }
        return fs;
    }

    [Fact]
    public void ParentIdMismatchNamesBothIds()
    {
        var fs = BaseAndChild(out _);
        Guid parentId;
        using (var b = VirtualDisk.Open(fs, "/d/base.vhd")) parentId = b.Footer.UniqueId;
        var child = fs.File.ReadAllBytes("/d/child.vhd");
        var other = Guid.Parse("0123456789abcdef0123456789abcdef");
        Img.PatchHeader(child, h => h with { ParentUniqueId = other });
        fs.File.WriteAllBytes("/d/child.vhd", child);
        var e = Assert.Throws<VhdFormatException>(() => VirtualDisk.Open(fs, "/d/child.vhd"));
        Assert.Equal("parent unique id", e.Field);
        Assert.Equal($"/d/child.vhd: parent unique id: '/d/child.vhd' expects parent id {other:N} but '/d/base.vhd' has id {parentId:N}", e.Message);
        Assert.Equal(child, fs.File.ReadAllBytes("/d/child.vhd"));
        // The parent was released: it can be opened for writing now.
        using (VirtualDisk.Open(fs, "/d/base.vhd", FileAccess.ReadWrite)) { }
    }

    [Fact]
    public void ParentIdMismatchAfterAnInterruptedForcedCommitSaysHowToFinishIt()
    {
        var fs = BaseAndChild(out _);
        Guid parentId;
        using (var b = VirtualDisk.Open(fs, "/d/base.vhd")) parentId = b.Footer.UniqueId;
        var child = fs.File.ReadAllBytes("/d/child.vhd");
        var old = Guid.Parse("0123456789abcdef0123456789abcdef");
        var changedTo = Guid.Parse("fedcba9876543210fedcba9876543210");
        Img.PatchHeader(child, h => h with { ParentUniqueId = old });
        Img.PatchFooters(child, f => new CommitIntent(old, changedTo).WriteTo(f));
        fs.File.WriteAllBytes("/d/child.vhd", child);
        var e = Assert.Throws<VhdFormatException>(() => VirtualDisk.Open(fs, "/d/child.vhd"));
        Assert.Equal($"/d/child.vhd: parent unique id: '/d/child.vhd' expects parent id {old:N} but '/d/base.vhd' has id {parentId:N}"
            + $" (an interrupted forced commit into '/d/base.vhd' was changing its unique id from {old:N} to {changedTo:N}; run the commit again to finish it)", e.Message);
    }

    [Fact]
    public void MissingParentNamesThePathsTried()
    {
        var fs = BaseAndChild(out _);
        fs.File.Delete("/d/base.vhd");
        var e = Assert.Throws<VhdFormatException>(() => VirtualDisk.Open(fs, "/d/child.vhd"));
        Assert.Equal("parent locator", e.Field);
        Assert.Contains("/d/base.vhd", e.Message);
        Assert.Contains("W2ru", e.Message);
        Assert.Contains("does not exist", e.Message);
    }

    [Fact]
    public void ParentFoundThroughTheAbsoluteLocatorWhenTheRelativeOneFails()
    {
        var fs = Img.NewFs();
        fs.Directory.CreateDirectory("/p");
        using (var b = VirtualDisk.Create(fs, "/p/base.vhd", new VhdCreateOptions { Size = M, BlockSize = 512 * K }))
        {
            b.Write(0, [42]);
            b.Flush();
        }
        using (VirtualDisk.CreateDifferencing(fs, "/d/child.vhd", "/p/base.vhd")) { }
        // Moving the child breaks the relative locator (..\p\base.vhd from /d); the absolute one still works.
        fs.Directory.CreateDirectory("/x/y");
        fs.File.Move("/d/child.vhd", "/x/y/child.vhd");
        using var c = VirtualDisk.Open(fs, "/x/y/child.vhd");
        Assert.Equal(["/x/y/child.vhd", "/p/base.vhd"], c.Chain);
        var b1 = new byte[1];
        c.Read(0, b1);
        Assert.Equal(42, b1[0]);
    }

    /// <summary>Replaces <paramref name="from"/> with <paramref name="to"/> (same length) in the UTF-16LE data of every parent locator.</summary>
    private static void RetargetLocators(byte[] file, string from, string to)
    {
        var a = Encoding.Unicode.GetBytes(from);
        var b = Encoding.Unicode.GetBytes(to);
        Assert.Equal(a.Length, b.Length);
        int found = 0;
        foreach (var l in Img.Header(file).ParentLocators.Span)
        {
            if (l.IsEmpty) continue;
            var data = file.AsSpan((int)l.PlatformDataOffset, (int)l.PlatformDataLength);
            int i = data.IndexOf(a);
            Assert.True(i >= 0);
            b.CopyTo(data[i..]);
            found++;
        }
        Assert.Equal(2, found); // W2ru and W2ku
    }

    [Fact]
    public void CycleIsRefused()
    {
        var fs = Img.NewFs();
        using (VirtualDisk.Create(fs, "/d/p.vhd", new VhdCreateOptions { Size = M, BlockSize = 512 * K })) { }
        using (VirtualDisk.CreateDifferencing(fs, "/d/a.vhd", "/d/p.vhd")) { }
        using (VirtualDisk.CreateDifferencing(fs, "/d/b.vhd", "/d/a.vhd")) { }
        // a's locators now point at b, and b's point at a.
        var a = fs.File.ReadAllBytes("/d/a.vhd");
        RetargetLocators(a, "p.vhd", "b.vhd");
        fs.File.WriteAllBytes("/d/a.vhd", a);
        var before = fs.File.ReadAllBytes("/d/b.vhd");
        var e = Assert.Throws<VhdFormatException>(() => VirtualDisk.Open(fs, "/d/b.vhd"));
        Assert.Equal("parent chain", e.Field);
        Assert.Contains("cycle", e.Message);
        Assert.Contains("/d/b.vhd", e.Message);
        Assert.EndsWith("cycle: '/d/b.vhd' is its own ancestor (chain: /d/b.vhd -> /d/a.vhd)", e.Message);
        var e2 = Assert.Throws<VhdFormatException>(() => VirtualDisk.Open(fs, "/d/a.vhd"));
        Assert.Contains("cycle", e2.Message);
        Assert.Equal(before, fs.File.ReadAllBytes("/d/b.vhd"));
        Assert.Equal(a, fs.File.ReadAllBytes("/d/a.vhd"));
    }

    [Fact]
    public void ImageThatIsItsOwnParentIsACycle()
    {
        var fs = Img.NewFs();
        using (VirtualDisk.Create(fs, "/d/p.vhd", new VhdCreateOptions { Size = M, BlockSize = 512 * K })) { }
        using (VirtualDisk.CreateDifferencing(fs, "/d/a.vhd", "/d/p.vhd")) { }
        var a = fs.File.ReadAllBytes("/d/a.vhd");
        RetargetLocators(a, "p.vhd", "a.vhd");
        fs.File.WriteAllBytes("/d/a.vhd", a);
        var e = Assert.Throws<VhdFormatException>(() => VirtualDisk.Open(fs, "/d/a.vhd"));
        Assert.Contains("cycle", e.Message);
    }

    /// <summary>base.vhd and children c1..c<paramref name="depth"/>, child i writing byte i at i*1000 and at 0.</summary>
    private static MockFileSystem Chain(int depth, out byte[] model)
    {
        var fs = Img.NewFs();
        using (var b = VirtualDisk.Create(fs, "/d/c0.vhd", new VhdCreateOptions { Size = M, BlockSize = 512 * K }))
        {
            model = new byte[b.Length];
            Model.Write(b, model, 0, Img.Random(99, 600 * K));
            b.Flush();
        }
        for (int i = 1; i <= depth; i++)
        {
            using var c = VirtualDisk.CreateDifferencing(fs, $"/d/c{i}.vhd", $"/d/c{i - 1}.vhd");
            Model.Write(c, model, i * 1000L + i, Enumerable.Repeat((byte)i, 700 + i).ToArray());
            Model.Write(c, model, 512 * K - 5 + i, [(byte)(i + 100)]);
            c.Flush();
        }
        return fs;
    }

    [Fact]
    public void ChainOfDepth16ReadsCorrectly()
    {
        var fs = Chain(16, out var model);
        using var d = VirtualDisk.Open(fs, "/d/c16.vhd");
        Assert.Equal(17, d.Chain.Count);
        Assert.Equal("/d/c0.vhd", d.Chain[^1]);
        Model.AssertSame(d, model);
    }

    [Fact]
    public void MaxChainDepthExceededIsRefused()
    {
        var fs = Chain(5, out _);
        var e = Assert.Throws<VhdFormatException>(() => VirtualDisk.Open(fs, "/d/c5.vhd", FileAccess.Read, new VhdOpenOptions { MaxChainDepth = 3 }));
        Assert.Equal("parent chain", e.Field);
        Assert.Contains("depth exceeds the limit of 3 images at '/d/c3.vhd'", e.Message);
        using (var d = VirtualDisk.Open(fs, "/d/c5.vhd", FileAccess.Read, new VhdOpenOptions { MaxChainDepth = 6 }))
            Assert.Equal(6, d.Chain.Count);
        // Nothing stays open after the refusal: every image can be opened for writing.
        for (int i = 0; i <= 5; i++)
            using (VirtualDisk.Open(fs, $"/d/c{i}.vhd", FileAccess.ReadWrite)) { }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void DepthLimitIsTheSameWhetherOrNotParentsAreAlreadyOpen(int limit)
    {
        var fs = Chain(2, out _); // c2 -> c1 -> c0: three images
        var options = new VhdOpenOptions { MaxChainDepth = limit };
        bool Opens()
        {
            try { using (VirtualDisk.Open(fs, "/d/c2.vhd", FileAccess.Read, options)) return true; }
            catch (VhdFormatException e) when (e.Field == "parent chain") { return false; }
        }
        bool cold = Opens();
        using (VirtualDisk.Open(fs, "/d/c1.vhd")) // c0 is now open as a shared parent
        {
            Assert.Equal(cold, Opens());
        }
        using (VirtualDisk.Open(fs, "/d/c2.vhd")) // c1 and c0 are now open as shared parents
        {
            Assert.Equal(cold, Opens());
        }
        Assert.Equal(limit >= 3, cold);
    }

    [Fact]
    public void ParentOutsideTheAllowedRootIsRefused()
    {
        var fs = Img.NewFs();
        fs.Directory.CreateDirectory("/p");
        fs.Directory.CreateDirectory("/c");
        using (VirtualDisk.Create(fs, "/p/base.vhd", new VhdCreateOptions { Size = M, BlockSize = 512 * K })) { }
        using (VirtualDisk.CreateDifferencing(fs, "/c/child.vhd", "/p/base.vhd")) { }
        var e = Assert.Throws<VhdFormatException>(() => VirtualDisk.Open(fs, "/c/child.vhd", FileAccess.Read, new VhdOpenOptions { AllowedParentRoot = "/c" }));
        Assert.Equal("parent locator", e.Field);
        Assert.Contains("outside the allowed root", e.Message);
        Assert.Contains("/p/base.vhd", e.Message);
        // A root that is a mere string prefix of the parent's directory is no root of it.
        Assert.Throws<VhdFormatException>(() => VirtualDisk.Open(fs, "/c/child.vhd", FileAccess.Read, new VhdOpenOptions { AllowedParentRoot = "/p/bas" }));
        using (var d = VirtualDisk.Open(fs, "/c/child.vhd", FileAccess.Read, new VhdOpenOptions { AllowedParentRoot = "/p" }))
            Assert.Equal("/p/base.vhd", d.Parent!.Path);
        using (VirtualDisk.Open(fs, "/c/child.vhd", FileAccess.Read, new VhdOpenOptions { AllowedParentRoot = "/" })) { }
    }

    [Fact]
    public void AllowedRootAppliesToTheWholeChainEvenWhenAParentIsShared()
    {
        var fs = Img.NewFs();
        fs.Directory.CreateDirectory("/g");
        fs.Directory.CreateDirectory("/p");
        using (VirtualDisk.Create(fs, "/g/grand.vhd", new VhdCreateOptions { Size = M, BlockSize = 512 * K })) { }
        using (VirtualDisk.CreateDifferencing(fs, "/p/parent.vhd", "/g/grand.vhd")) { }
        using (VirtualDisk.CreateDifferencing(fs, "/p/child1.vhd", "/p/parent.vhd")) { }
        using (VirtualDisk.CreateDifferencing(fs, "/p/child2.vhd", "/p/parent.vhd")) { }
        var restricted = new VhdOpenOptions { AllowedParentRoot = "/p" };
        // Cold: the grandparent lies outside /p.
        Assert.Throws<VhdFormatException>(() => VirtualDisk.Open(fs, "/p/child2.vhd", FileAccess.Read, restricted));
        // With parent.vhd (and grand.vhd) already open as shared parents of child1.
        using (VirtualDisk.Open(fs, "/p/child1.vhd"))
            Assert.Throws<VhdFormatException>(() => VirtualDisk.Open(fs, "/p/child2.vhd", FileAccess.Read, restricted));
    }

    [Fact]
    public void TwoChildrenShareTheirParentAndReadCorrectly()
    {
        var fs = BaseAndChild(out var baseData);
        using (var c = VirtualDisk.CreateDifferencing(fs, "/d/child2.vhd", "/d/base.vhd"))
        {
            c.Write(150, [9, 9]);
            c.Flush();
        }
        var before = fs.File.ReadAllBytes("/d/base.vhd");
        using (var a = VirtualDisk.Open(fs, "/d/child.vhd"))
        using (var b = VirtualDisk.Open(fs, "/d/child2.vhd", FileAccess.ReadWrite))
        {
            Assert.Same(a.Parent, b.Parent);
            var ea = new byte[a.Length];
            baseData.CopyTo(ea, 100);
            var eb = (byte[])ea.Clone();
            ea[2000] = 1; ea[2001] = 2; ea[2002] = 3;
            eb[150] = 9; eb[151] = 9;
            Assert.Equal(ea, Img.ReadAll(a));
            Assert.Equal(eb, Img.ReadAll(b));
            // Interleaved reads through both children, and a write in one, do not disturb the other.
            b.Write(2000, [7]);
            eb[2000] = 7;
            Assert.Equal(ea, Img.ReadAll(a));
            Assert.Equal(eb, Img.ReadAll(b));

            var e = Assert.Throws<VhdImageInUseException>(() => VirtualDisk.Open(fs, "/d/base.vhd", FileAccess.ReadWrite));
            Assert.Contains("parent", e.Message);
            // A read-only open of the parent is fine.
            using (var p = VirtualDisk.Open(fs, "/d/base.vhd")) Assert.False(p.CanWrite);
            a.Dispose();
            // Still a parent of b.
            Assert.Throws<VhdImageInUseException>(() => VirtualDisk.Open(fs, "/d/base.vhd", FileAccess.ReadWrite));
        }
        Assert.Equal(before, fs.File.ReadAllBytes("/d/base.vhd"));
        // Both children closed: the parent can be opened for writing.
        using (var p = VirtualDisk.Open(fs, "/d/base.vhd", FileAccess.ReadWrite)) Assert.True(p.CanWrite);
    }

    [Fact]
    public void ConcurrentReadsThroughTwoChildrenOfOneParent()
    {
        var fs = BaseAndChild(out var baseData);
        using (VirtualDisk.CreateDifferencing(fs, "/d/child2.vhd", "/d/base.vhd")) { }
        using var a = VirtualDisk.Open(fs, "/d/child.vhd");
        using var b = VirtualDisk.Open(fs, "/d/child2.vhd");
        var fromA = (byte[])baseData.Clone();
        fromA[1900] = 1; fromA[1901] = 2; fromA[1902] = 3; // child.vhd wrote 1, 2, 3 at 2000
        Parallel.For(0, 8, i =>
        {
            var (d, expected) = i % 2 == 0 ? (a, fromA) : (b, baseData);
            var buf = new byte[4000];
            for (int k = 0; k < 20; k++)
            {
                d.Read(100, buf);
                Assert.Equal(expected, buf);
            }
        });
    }
    [Fact]
    public void Two_children_opened_with_new_options_share_their_parent_by_default()
    {
        var fs = BaseAndChild(out _);
        VirtualDisk.CreateDifferencing(fs, "/d/child2.vhd", "/d/base.vhd").Dispose();
        using var a = VirtualDisk.Open(fs, "/d/child.vhd", FileAccess.Read, new VhdOpenOptions());
        using var b = VirtualDisk.Open(fs, "/d/child2.vhd", FileAccess.Read, new VhdOpenOptions());
        Assert.True(new VhdOpenOptions().ShareParents);
        Assert.Same(a.Parent, b.Parent);
    }

    [Fact]
    public void A_shared_parent_whose_chain_is_too_deep_for_the_next_child_is_refused_naming_the_limit_and_the_parent()
    {
        var fs = Chain(2, out _); // c2 -> c1 -> c0
        VirtualDisk.CreateDifferencing(fs, "/d/x.vhd", "/d/c1.vhd").Dispose();
        using var c2 = VirtualDisk.Open(fs, "/d/c2.vhd", FileAccess.Read, new VhdOpenOptions { MaxChainDepth = 3 });
        // c1 is open as a shared parent, with a chain of two images; x on top of it makes three.
        var e = Assert.Throws<VhdFormatException>(() => VirtualDisk.Open(fs, "/d/x.vhd", FileAccess.Read, new VhdOpenOptions { MaxChainDepth = 2 }));
        Assert.Equal("parent chain", e.Field);
        Assert.Equal("/d/c1.vhd: parent chain: depth exceeds the limit of 2 images at '/d/c1.vhd'", e.Message);
    }

    [Fact]
    public void A_closed_childs_parent_is_left_to_the_garbage_collector()
    {
        var fs = BaseAndChild(out _);
        var parent = OpenAndCloseChild(fs);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.False(parent.IsAlive, "the parent of a closed child is still referenced");
    }

    /// <summary>Opens and closes the child; a weak reference to its parent (no strong one left on this stack).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference OpenAndCloseChild(MockFileSystem fs)
    {
        using var child = VirtualDisk.Open(fs, "/d/child.vhd");
        Assert.NotNull(child.Parent);
        return new WeakReference(child.Parent);
    }
}
