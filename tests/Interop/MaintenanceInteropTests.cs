using System.Text.Json;
using Storage.Tests.Interop.Infrastructure;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Maintenance;
using Xunit;

namespace Storage.Tests.Interop;

/// <summary>
/// Issue 12: what compact and resize leave is what qemu-img (info, compare) and libvhdi read:
/// the same content, at the new size.
/// </summary>
public class MaintenanceInteropTests
{
    private const int M = 1024 * 1024;

    /// <summary>An image with random data in most blocks and some written all zeros, and the raw file it must equal.</summary>
    private static (string Image, string Raw) Filled(TempDir dir, VhdDiskType type, long size, bool exact)
    {
        string image = dir["x.vhd"], raw = dir["x.raw"];
        using var disk = VirtualDisk.Create(dir.Fs, image, new VhdCreateOptions { Type = type, Size = size, ExactSize = exact, BlockSize = 2 * M });
        using var model = new FileStream(raw, FileMode.CreateNew, FileAccess.ReadWrite);
        model.SetLength(disk.Length);
        var rnd = new Random(12);
        for (long at = 0; at + M <= disk.Length; at += 2 * M)
        {
            var data = new byte[M];
            if (at / (2 * M) % 3 != 1) rnd.NextBytes(data);
            disk.Write(at + 4096, data.AsSpan(0, M - 4096));
            model.Position = at + 4096;
            model.Write(data, 0, M - 4096);
        }
        disk.Flush();
        return (image, raw);
    }

    private static void AssertReadersAgree(string image, string raw, long size)
    {
        var info = Tools.QemuImg("info", "-f", "vpc", "--output=json", image);
        Assert.True(info.ExitCode == 0, info.ToString());
        using (var doc = JsonDocument.Parse(info.StdOut))
            Assert.Equal(size, doc.RootElement.GetProperty("virtual-size").GetInt64());
        var compare = Tools.QemuImg("compare", "-f", "vpc", "-F", "raw", image, raw);
        Assert.True(compare.ExitCode == 0, compare.ToString());
        var view = Libvhdi.Read(image);
        Assert.Equal(size, view.MediaSize);
        Assert.Equal(Bytes.Sha256File(raw), view.Sha256);
    }

    [Fact]
    public void A_compacted_image_reads_the_same_in_qemu_and_libvhdi_and_is_smaller()
    {
        using var dir = new TempDir("compact");
        var (image, raw) = Filled(dir, VhdDiskType.Dynamic, 64L * M, exact: true);
        long before = new FileInfo(image).Length;
        var result = Compactor.Compact(dir.Fs, image);
        Assert.True(result.BlocksFreed >= 10, $"{result}");
        Assert.Equal(before - result.BytesReclaimed, new FileInfo(image).Length);
        Assert.Equal(result.BlocksFreed * (2L * M + 512), result.BytesReclaimed);
        AssertReadersAgree(image, raw, 64L * M);
    }

    [Theory]
    [InlineData(VhdDiskType.Dynamic, true)]
    [InlineData(VhdDiskType.Dynamic, false)]
    [InlineData(VhdDiskType.Fixed, true)]
    public void A_resized_image_reads_at_its_new_size_in_qemu_and_libvhdi(VhdDiskType type, bool exact)
    {
        using var dir = new TempDir("resize");
        var (image, raw) = Filled(dir, type, 20L * M, exact);
        // Grown far enough that a dynamic image's BAT moves to the end of the file.
        long size = Resizer.Resize(dir.Fs, image, new ResizeOptions { Size = 3000L * M });
        using (var model = new FileStream(raw, FileMode.Open, FileAccess.ReadWrite)) model.SetLength(size);
        AssertReadersAgree(image, raw, size);
        // Shrunk to just past the data.
        size = Resizer.Resize(dir.Fs, image, new ResizeOptions { Size = 20L * M, AllowShrink = true });
        using (var model = new FileStream(raw, FileMode.Open, FileAccess.ReadWrite)) model.SetLength(size);
        AssertReadersAgree(image, raw, size);
    }

    [Fact]
    public void A_relinked_child_and_a_pulled_one_read_the_same_in_libvhdi_and_qemu()
    {
        using var dir = new TempDir("relink");
        var (parent, raw) = Filled(dir, VhdDiskType.Dynamic, 16L * M, exact: true);
        string child = dir["c.vhd"];
        using (var c = VirtualDisk.CreateDifferencing(dir.Fs, child, parent))
        {
            var data = new byte[64 * 1024];
            new Random(3).NextBytes(data);
            c.Write(3 * M, data);
            c.Flush();
            using var model = new FileStream(raw, FileMode.Open, FileAccess.ReadWrite);
            model.Position = 3 * M;
            model.Write(data);
        }
        Directory.CreateDirectory(dir["moved"]);
        string moved = dir["moved/parent.vhd"];
        File.Move(parent, moved);
        Reparenter.SetParent(dir.Fs, child, moved);
        // libvhdi honours the parent (4 KiB-aligned writes only, one block a read: DESIGN.md §2).
        var view = Libvhdi.Read(2 * M, child, moved);
        Assert.Equal(Bytes.Sha256File(raw), view.Sha256);
        Assert.Contains("moved", view.ParentFilename, StringComparison.Ordinal);

        Puller.Pull(dir.Fs, child);
        File.Delete(moved);
        AssertReadersAgree(child, raw, 16L * M);
    }
}
