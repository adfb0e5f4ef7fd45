using System.Text.Json;
using Storage.Tests.Interop.Infrastructure;
using Storage.VhdEngine.Disks;
using Xunit;

namespace Storage.Tests.Interop;

/// <summary>
/// Required case 4: images we create and write are what qemu-img (compare, check, info) and
/// libvhdi (pyvhdi, vhdiinfo) read.
/// </summary>
public class OurImagesTests
{
    public static TheoryData<string, VhdDiskType, long, int, bool> Cases => new()
    {
        { "dyn-512k-chs", VhdDiskType.Dynamic, 20 * 1024 * 1024 + 12345, 512 * 1024, false },
        { "dyn-2m-exact", VhdDiskType.Dynamic, 64L * 1024 * 1024, 2 * 1024 * 1024, true },
        { "dyn-2m-odd-exact", VhdDiskType.Dynamic, 7777777, 2 * 1024 * 1024, true },
        { "dyn-512k-odd-chs", VhdDiskType.Dynamic, 33 * 1024 * 1024 + 1, 512 * 1024, false },
        { "fixed-chs", VhdDiskType.Fixed, 10 * 1024 * 1024, 0, false },
        { "fixed-exact", VhdDiskType.Fixed, 8L * 1024 * 1024, 0, true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void OurImageReadsTheSameInQemuAndLibvhdi(string name, VhdDiskType type, long size, int blockSize, bool exact)
    {
        using var dir = new TempDir("ours");
        string image = dir[name + ".vhd"];
        string raw = dir[name + ".raw"];
        long length;
        var options = new VhdCreateOptions { Type = type, Size = size, ExactSize = exact };
        if (blockSize > 0) options = options with { BlockSize = blockSize };
        using (var disk = VirtualDisk.Create(dir.Fs, image, options))
        using (var model = new FileStream(raw, FileMode.CreateNew, FileAccess.ReadWrite))
        {
            length = disk.Length;
            if (exact) Assert.Equal((size + 511) / 512 * 512, length);
            else Assert.True(length >= size && length - size < 64L * 1024 * 1024, $"CHS size {length} for {size}");
            model.SetLength(length);
            var rnd = new Random(name.GetHashCode(StringComparison.Ordinal) & 0x7fffffff);
            int bs = blockSize > 0 ? blockSize : 2 * 1024 * 1024;
            var writes = new List<(long Off, int Len)>
            {
                (0, 1), (511, 2), (bs - 1000, 2000), (length / 4 + 7, (int)Math.Min(3L * bs + 13, length / 2)), (length - 1, 1), (length - 4321, 4000),
            };
            for (int i = 0; i < 40; i++)
            {
                int len = rnd.Next(1, 300_000);
                writes.Add((rnd.NextInt64(0, length - len), len));
            }
            foreach (var (off, len) in writes)
            {
                var data = new byte[len];
                rnd.NextBytes(data);
                disk.Write(off, data);
                model.Position = off;
                model.Write(data);
            }
            disk.Flush();
            model.Flush(flushToDisk: true);
        }
        string modelSha = Bytes.Sha256File(raw);

        // Our engine, reopened.
        using (var disk = VirtualDisk.Open(dir.Fs, image))
        {
            Assert.Empty(disk.Warnings);
            string? diff = Bytes.CompareWithRaw(disk, raw, 0, length);
            Assert.True(diff is null, $"ours after reopen: {diff}");
            Assert.Equal(modelSha, Bytes.Sha256Disk(disk));
        }

        // qemu-img.
        var info = Tools.QemuImg("info", "-f", "vpc", "--output=json", image);
        Assert.True(info.ExitCode == 0, info.ToString());
        using (var doc = JsonDocument.Parse(info.StdOut))
            Assert.True(doc.RootElement.GetProperty("virtual-size").GetInt64() == length, $"qemu virtual size differs from ours ({length})\n{info}");
        var compare = Tools.QemuImg("compare", "-f", "vpc", "-F", "raw", image, raw);
        Assert.True(compare.ExitCode == 0, compare.ToString());
        var check = Tools.QemuImg("check", "-f", "vpc", image);
        bool unsupported = (check.StdErr + check.StdOut).Contains("does not support checks", StringComparison.Ordinal);
        if (!unsupported) Assert.True(check.ExitCode == 0, check.ToString());

        // libvhdi.
        var lib = Libvhdi.Read(image);
        Assert.True(lib.MediaSize == length, $"libvhdi media size {lib.MediaSize}, ours {length}\n{lib.Output}");
        Assert.True(lib.Sha256 == modelSha, $"libvhdi reads different bytes\n{lib.Output}");
        Assert.Equal(type == VhdDiskType.Fixed ? 2 : 3, lib.DiskType);
        var vhdiinfo = Tools.Run("vhdiinfo", image);
        Assert.True(vhdiinfo.ExitCode == 0, vhdiinfo.ToString());
        Assert.Contains($"({length} bytes)", vhdiinfo.StdOut);
    }
}
