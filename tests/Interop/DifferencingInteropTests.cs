using System.Security.Cryptography;
using Storage.Tests.Interop.Infrastructure;
using Storage.VhdEngine.Disks;
using Xunit;

namespace Storage.Tests.Interop;

/// <summary>
/// Required case 5: differencing children we create are read by libvhdi exactly as by us (4 KiB
/// aligned writes only: libvhdi 20210425 misreads partly set bitmap bytes), libvhdi reports our
/// parent id, and a moved chain still opens.
/// </summary>
public class DifferencingInteropTests
{
    private const int KiB4 = 4096;
    private const int BlockSize = 512 * 1024;

    private static void WriteAligned(VirtualDisk disk, byte[] model, Random rnd, int count, long maxLen)
    {
        long units = disk.Length / KiB4;
        var plan = new List<(long Off, int Len)> { (0, KiB4), (2 * 1024 * 1024 - KiB4, 2 * KiB4), (disk.Length - KiB4, KiB4) };
        for (int i = 0; i < count; i++)
        {
            int lenUnits = (int)rnd.NextInt64(1, maxLen / KiB4 + 1);
            long start = rnd.NextInt64(0, units - lenUnits + 1);
            plan.Add((start * KiB4, lenUnits * KiB4));
        }
        foreach (var (off, len) in plan)
        {
            var data = new byte[len];
            rnd.NextBytes(data);
            disk.Write(off, data);
            data.CopyTo(model, off);
        }
        disk.Flush();
    }

    private static string Sha(byte[] b) => Convert.ToHexStringLower(SHA256.HashData(b));

    [Fact]
    public void LibvhdiReadsOurChainsAndAMovedChainStillOpens()
    {
        using var dir = new TempDir("diff");
        const long size = 12L * 1024 * 1024;
        string parent = dir["parent.vhd"], child = dir["child.vhd"], grand = dir["grandchild.vhd"];
        var model = new byte[size];
        var rnd = new Random(5);
        Guid parentId, childId;
        using (var p = VirtualDisk.Create(dir.Fs, parent, new VhdCreateOptions { Size = size, ExactSize = true, BlockSize = BlockSize }))
        {
            parentId = p.Footer.UniqueId;
            WriteAligned(p, model, rnd, 30, 600_000);
        }
        string parentSha = Sha(model);
        using (var c = VirtualDisk.CreateDifferencing(dir.Fs, child, parent))
        {
            childId = c.Footer.UniqueId;
            Assert.Equal(parentId, c.Header!.ParentUniqueId);
            WriteAligned(c, model, rnd, 25, 300_000);
        }
        string childSha = Sha(model);
        using (var g = VirtualDisk.CreateDifferencing(dir.Fs, grand, child))
            WriteAligned(g, model, rnd, 25, 100_000);
        string grandSha = Sha(model);

        using (var c = VirtualDisk.Open(dir.Fs, child))
            Assert.Equal(childSha, Bytes.Sha256Disk(c));
        using (var g = VirtualDisk.Open(dir.Fs, grand))
        {
            Assert.Equal(grandSha, Bytes.Sha256Disk(g));
            Assert.Equal([grand, child, parent], g.Chain);
        }

        var libParent = Libvhdi.Read(parent);
        Assert.True(libParent.Sha256 == parentSha, libParent.Output);
        var libChild = Libvhdi.Read(BlockSize, child, parent);
        Assert.True(libChild.MediaSize == size, libChild.Output);
        Assert.True(libChild.DiskType == 4, libChild.Output);
        Assert.True(libChild.Sha256 == childSha, $"libvhdi reads our child differently\n{libChild.Output}");
        Assert.True(libChild.ParentIdentifier == parentId.ToString("D"), $"libvhdi parent id vs ours {parentId:D}\n{libChild.Output}");
        Assert.True(libChild.Identifier == childId.ToString("D"), $"libvhdi id vs ours {childId:D}\n{libChild.Output}");
        var libGrand = Libvhdi.Read(BlockSize, grand, child, parent);
        Assert.True(libGrand.Sha256 == grandSha, $"libvhdi reads our grandchild differently\n{libGrand.Output}");
        Assert.True(libGrand.ParentIdentifier == childId.ToString("D"), libGrand.Output);
        var vhdiinfo = Tools.Run("vhdiinfo", child);
        Assert.True(vhdiinfo.ExitCode == 0, vhdiinfo.ToString());

        // Child and grandchild moved away from the parent: the grandchild finds the child by its
        // relative locator, the child finds the parent by its absolute one.
        string moved = Path.Combine(dir.Path, "moved");
        Directory.CreateDirectory(moved);
        File.Move(child, Path.Combine(moved, "child.vhd"));
        File.Move(grand, Path.Combine(moved, "grandchild.vhd"));
        using (var g = VirtualDisk.Open(dir.Fs, Path.Combine(moved, "grandchild.vhd")))
        {
            Assert.Equal([Path.Combine(moved, "grandchild.vhd"), Path.Combine(moved, "child.vhd"), parent], g.Chain);
            Assert.Equal(grandSha, Bytes.Sha256Disk(g));
        }

        // The whole chain moved to another directory: only the relative locators still point right.
        string elsewhere = Path.Combine(dir.Path, "elsewhere");
        Directory.CreateDirectory(elsewhere);
        File.Move(parent, Path.Combine(elsewhere, "parent.vhd"));
        File.Move(Path.Combine(moved, "child.vhd"), Path.Combine(elsewhere, "child.vhd"));
        File.Move(Path.Combine(moved, "grandchild.vhd"), Path.Combine(elsewhere, "grandchild.vhd"));
        using (var g = VirtualDisk.Open(dir.Fs, Path.Combine(elsewhere, "grandchild.vhd")))
        {
            Assert.Equal(new[] { "grandchild.vhd", "child.vhd", "parent.vhd" }.Select(n => Path.Combine(elsewhere, n)), g.Chain);
            Assert.Equal(grandSha, Bytes.Sha256Disk(g));
        }
        var libMoved = Libvhdi.Read(BlockSize, Path.Combine(elsewhere, "grandchild.vhd"), Path.Combine(elsewhere, "child.vhd"), Path.Combine(elsewhere, "parent.vhd"));
        Assert.True(libMoved.Sha256 == grandSha, libMoved.Output);
    }
}
