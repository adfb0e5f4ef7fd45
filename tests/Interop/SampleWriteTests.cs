using System.Buffers.Binary;
using Storage.Tests.Interop.Infrastructure;
using Storage.VhdEngine.Disks;
using Xunit;

namespace Storage.Tests.Interop;

/// <summary>
/// Required case 2: writing into the Virtual PC and Hyper-V samples allocates the block at the end
/// footer's position; the block reads back exactly, the rest of it as zeros, and qemu-io agrees.
/// </summary>
public class SampleWriteTests
{
    private const int MiB = 1 << 20;

    [Theory]
    [InlineData("virtualpc-dynamic.vhd.bz2", (byte)0x5a)]
    [InlineData("hyperv2012r2-dynamic.vhd.bz2", (byte)0xc3)]
    public void WriteAtOneMiBReadsBackAndQemuAgrees(string sample, byte pattern)
    {
        using var dir = new TempDir("write");
        string image = dir.Unpack(sample);
        long oldLength = new FileInfo(image).Length;
        long length;
        uint tableOffset;
        using (var disk = VirtualDisk.Open(dir.Fs, image, FileAccess.ReadWrite))
        {
            Assert.Equal(oldLength - 512, ((DynamicDisk)disk).EndFooterOffset);
            length = disk.Length;
            tableOffset = (uint)disk.Header!.TableOffset;
            var data = new byte[512];
            Array.Fill(data, pattern);
            disk.Write(MiB, data);
            disk.Flush();
        }

        // The new block starts where the end footer was (not at the end of the BAT), and its
        // bitmap overwrote the old footer.
        var bat0 = BinaryPrimitives.ReadUInt32BigEndian(Bytes.ReadFile(image, tableOffset, 4));
        Assert.Equal(oldLength - 512, (long)bat0 * 512);
        Assert.Equal(oldLength - 512 + 512 + 2 * MiB + 512, new FileInfo(image).Length);

        using (var disk = VirtualDisk.Open(dir.Fs, image))
        {
            Assert.Equal(length, disk.Length);
            Assert.Empty(disk.Warnings);
            Assert.Equal(1, disk.AllocatedBlocks);
            var block = Bytes.ReadDisk(disk, 0, 2 * MiB);
            Assert.True(block.AsSpan(MiB, 512).IndexOfAnyExcept(pattern) < 0, "the written sector does not read back");
            Assert.True(Bytes.AllZero(block.AsSpan(0, MiB)), $"first MiB of block 0 not zero (first non-zero at {block.AsSpan(0, MiB).IndexOfAnyExcept((byte)0)})");
            Assert.True(Bytes.AllZero(block.AsSpan(MiB + 512)), $"rest of block 0 not zero (first non-zero at {MiB + 512 + block.AsSpan(MiB + 512).IndexOfAnyExcept((byte)0)})");
            Assert.True(block.AsSpan().IndexOf("conectix"u8) < 0, "old footer bytes leak into the block");
            Assert.True(Bytes.AllZero(Bytes.ReadDisk(disk, 2 * MiB, MiB)), "block 1 not zero");
            Assert.True(Bytes.AllZero(Bytes.ReadDisk(disk, length - MiB, MiB)), "last MiB not zero");
        }

        var io = Tools.QemuIo("-f", "vpc", "-r",
            "-c", $"read -P 0x{pattern:x2} 1M 512",
            "-c", "read -P 0 0 1M",
            "-c", "read -P 0 1049088 1047552",
            image);
        Assert.True(io.ExitCode == 0 && !io.StdOut.Contains("verification failed") && !io.StdErr.Contains("failed"), io.ToString());
        Assert.Equal(3, CountOccurrences(io.StdOut, "read "));

        var info = Tools.QemuImg("info", "-f", "vpc", "--output=json", image);
        Assert.True(info.ExitCode == 0, info.ToString());
        Assert.Contains($"\"virtual-size\": {length}", info.StdOut);
        var map = Tools.QemuImg("map", "-f", "vpc", "--output=json", image);
        Assert.True(map.ExitCode == 0, map.ToString());
        Assert.Contains("\"start\": 0, \"length\": 2097152, \"depth\": 0, \"present\": true, \"zero\": false, \"data\": true", map.StdOut);
        Assert.Equal(1, CountOccurrences(map.StdOut, "\"data\": true"));
    }

    private static int CountOccurrences(string text, string what)
    {
        int n = 0;
        for (int i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal)) n++;
        return n;
    }
}
