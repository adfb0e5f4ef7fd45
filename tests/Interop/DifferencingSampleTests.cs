using Storage.Tests.Interop.Infrastructure;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Xunit;

namespace Storage.Tests.Interop;

/// <summary>Required case 6: the differencing samples made by other tools.</summary>
public class DifferencingSampleTests
{
    private static readonly VhdOpenOptions Lax = new() { AcceptChecksumMismatch = true };

    private const string ImageSha = "c6db12a7db548e193c29420c1b4533e4708b20c5033db5cc29ef075d48316d25";

    [Fact]
    public void ImageDifferentialFindsItsParentByNameAlone()
    {
        using var dir = new TempDir("diffsample");
        string parent = dir.Unpack("image.vhd.bz2");
        string child = dir.Unpack("image-differential.vhd.bz2");
        // Both files were edited without updating their checksums (the child's footer and header
        // still carry its parent's): refused by default, read when mismatches are accepted.
        var e = Assert.Throws<VhdFormatException>(() => VirtualDisk.Open(dir.Fs, child).Dispose());
        Assert.Contains("checksum", e.Message);
        using var disk = VirtualDisk.Open(dir.Fs, child, FileAccess.Read, Lax);
        Assert.Contains(disk.Warnings, w => w.Contains("dynamic header checksum"));
        Assert.Equal(VhdDiskType.Differencing, disk.DiskType);
        Assert.All(disk.Header!.ParentLocators.ToArray(), l => Assert.True(l.IsEmpty));
        Assert.Equal("image.vhd", disk.Header.ParentUnicodeName);
        Assert.Equal([child, parent], disk.Chain);
        Assert.Equal(104448, disk.Length);
        Assert.Equal(ImageSha, Bytes.Sha256Disk(disk));
    }

    [Fact]
    public void LibvhdiAgreesOnImageDifferential()
    {
        using var dir = new TempDir("diffsample");
        string parent = dir.Unpack("image.vhd.bz2");
        string child = dir.Unpack("image-differential.vhd.bz2");
        var lib = Libvhdi.Read(64 * 1024, child, parent);
        Assert.True(lib.Sha256 == ImageSha, lib.Output);
        using var disk = VirtualDisk.Open(dir.Fs, child, FileAccess.Read, Lax);
        Assert.Equal(disk.Header!.ParentUniqueId.ToString("D"), lib.ParentIdentifier);
        Assert.Equal(disk.Parent!.Footer.UniqueId.ToString("D"), lib.ParentIdentifier);
    }

    private static readonly int[] ChildSectors = [134, 143, 152, 153, 154, 155, 156, 157, 158, 159, 184, 185, 188, 190, 191, 192, 194, 196];

    [Fact]
    public void FatDifferentialTakesExactlyItsBitmapSectorsFromTheChild()
    {
        using var dir = new TempDir("fatdiff");
        string child = dir.Unpack("fat-differential.vhd.bz2");
        string parent = dir["fat-parent.vhd"];
        const int size = 4194304;
        var parentId = new Guid(Convert.FromHexString("5fa21a55f394aa4d99581951a67d5540"), bigEndian: true);
        var parentData = new byte[size];
        for (int s = 0; s < size / 512; s++)
            for (int i = 0; i < 512; i++)
                parentData[s * 512 + i] = (byte)(s * 31 + i * 7 + 1);
        using (var p = VirtualDisk.Create(dir.Fs, parent, new VhdCreateOptions { UniqueId = parentId, ExactSize = true, Size = size }))
        {
            Assert.Equal(size, p.Length);
            p.Write(0, parentData);
            p.Flush();
        }

        // The child's own data: block 0 at sector 159, one bitmap sector, then the data.
        byte[] childFile = File.ReadAllBytes(child);
        const int blockStart = 159 * 512;
        var bitmapSectors = Enumerable.Range(0, 4096).Where(s => (childFile[blockStart + s / 8] & (0x80 >> (s % 8))) != 0).ToArray();
        Assert.Equal(ChildSectors, bitmapSectors);
        int dataStart = blockStart + 512;

        using var disk = VirtualDisk.Open(dir.Fs, child);
        Assert.Equal(parent, ((DifferencingDisk)disk).ParentPath);
        Assert.Equal(size, disk.Length);
        Assert.Equal(2 * 1024 * 1024, disk.BlockSize);
        var all = Bytes.ReadDisk(disk, 0, size);
        var childSet = ChildSectors.ToHashSet();
        var wrong = new List<string>();
        for (int s = 0; s < size / 512; s++)
        {
            var got = all.AsSpan(s * 512, 512);
            var want = childSet.Contains(s) ? childFile.AsSpan(dataStart + s * 512, 512) : parentData.AsSpan(s * 512, 512);
            if (!got.SequenceEqual(want)) wrong.Add($"{s}({(childSet.Contains(s) ? "child" : "parent")})");
        }
        Assert.True(wrong.Count == 0, $"{wrong.Count} sectors read wrong: {string.Join(", ", wrong.Take(50))}");
        // The child's sectors really differ from the parent's pattern, so the check means something.
        Assert.All(ChildSectors, s => Assert.False(childFile.AsSpan(dataStart + s * 512, 512).SequenceEqual(parentData.AsSpan(s * 512, 512))));

        // Unaligned reads straddling child and parent sectors agree with the whole-disk read.
        foreach (var (off, len) in new[] { (134 * 512 - 3, 10), (143 * 512 + 100, 9 * 512 + 5), (183 * 512 + 511, 14 * 512), (1, size - 2) })
            Assert.True(Bytes.ReadDisk(disk, off, len).AsSpan().SequenceEqual(all.AsSpan(off, len)), $"read {off}+{len}");
    }
}
