using System.Text.Json;
using Storage.Tests.Interop.Infrastructure;
using Storage.VhdEngine.Disks;
using Xunit;

namespace Storage.Tests.Interop;

/// <summary>
/// Required case 3: images qemu-img creates and qemu-io fills read byte-identically to
/// qemu-img convert -O raw.
/// </summary>
public class QemuCreatedImageTests
{
    [Theory]
    [InlineData("dynamic", "5M", false)]
    [InlineData("dynamic", "5M", true)]
    [InlineData("dynamic", "127M", false)]
    [InlineData("dynamic", "127M", true)]
    [InlineData("dynamic", "10000000", false)]
    [InlineData("dynamic", "1000M", false)]
    [InlineData("dynamic", "1001M", true)]
    [InlineData("dynamic", "3G", false)]
    [InlineData("dynamic", "3G", true)]
    [InlineData("fixed", "5M", false)]
    [InlineData("fixed", "5M", true)]
    [InlineData("fixed", "127M", false)]
    [InlineData("fixed", "127M", true)]
    [InlineData("fixed", "10000000", true)]
    [InlineData("fixed", "1000M", false)]
    public void QemuImageReadsLikeQemuConvert(string subformat, string size, bool forceSize)
    {
        using var dir = new TempDir("qemu");
        string image = dir["q.vhd"];
        var opts = $"subformat={subformat}" + (forceSize ? ",force_size=on" : "");
        var create = Tools.QemuImg("create", "-f", "vpc", "-o", opts, image, size);
        Assert.True(create.ExitCode == 0, create.ToString());

        long virtualSize = QemuVirtualSize(image);
        var writes = Writes(virtualSize);
        var args = new List<string> { "-f", "vpc" };
        foreach (var (off, len, pattern) in writes) { args.Add("-c"); args.Add($"write -P 0x{pattern:x2} {off} {len}"); }
        args.Add(image);
        var io = Tools.Run("qemu-io", args);
        Assert.True(io.ExitCode == 0 && !io.StdErr.Contains("failed"), io.ToString());

        string raw = dir["q.raw"];
        var conv = Tools.QemuImg("convert", "-f", "vpc", "-O", "raw", image, raw);
        Assert.True(conv.ExitCode == 0, conv.ToString());
        string before = Bytes.Sha256File(image);

        using (var disk = VirtualDisk.Open(dir.Fs, image))
        {
            Assert.Equal(subformat == "fixed" ? VhdDiskType.Fixed : VhdDiskType.Dynamic, disk.DiskType);
            Assert.Equal(forceSize ? "qem2" : "qemu", disk.Footer.CreatorApplicationText);
            Assert.True(virtualSize == disk.Length, $"virtual size: ours {disk.Length}, qemu {virtualSize}\n{create}");
            Assert.Equal(virtualSize, new FileInfo(raw).Length);

            // The written ranges first (a precise message), then the whole disk in chunks.
            foreach (var (off, len, pattern) in writes)
            {
                var got = Bytes.ReadDisk(disk, off, len);
                int bad = got.AsSpan().IndexOfAnyExcept(pattern);
                Assert.True(bad < 0, $"write {off}+{len} pattern 0x{pattern:x2}: byte {off + bad} reads 0x{(bad < 0 ? 0 : got[bad]):x2}\n{io}");
            }
            string? diff = Bytes.CompareWithRaw(disk, raw, 0, disk.Length, chunk: 16 << 20);
            Assert.True(diff is null, $"{subformat} {size} force_size={forceSize}: {diff}\n{create}\n{io}");
        }
        Assert.Equal(before, Bytes.Sha256File(image));
    }

    /// <summary>Several odd places: unaligned, across block boundaries, at the very end.</summary>
    private static List<(long Off, int Len, byte Pattern)> Writes(long size)
    {
        var list = new List<(long, int, byte)>
        {
            (1000, 5000, 0xab),
            (2 * 1024 * 1024 - 700, 1400, 0x11),
            (size / 2 + 333, 70001, 0xcd),
            (size - 2999, 2999, 0xef),
            (3 * 1024 * 1024 + 1, 1, 0x7f),
        };
        if (size > 2L << 30) list.Add((2L * 1024 * 1024 * 1024 + 12345, 3 * 1024 * 1024, 0x42));
        return list;
    }

    private static long QemuVirtualSize(string image)
    {
        var info = Tools.QemuImg("info", "-f", "vpc", "--output=json", image);
        Assert.True(info.ExitCode == 0, info.ToString());
        using var doc = JsonDocument.Parse(info.StdOut);
        return doc.RootElement.GetProperty("virtual-size").GetInt64();
    }
}
