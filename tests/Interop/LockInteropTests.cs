using Storage.Tests.Interop.Infrastructure;
using Storage.VhdEngine.Disks;
using Xunit;

namespace Storage.Tests.Interop;

/// <summary>
/// The engine's ownership lock is qemu's image lock (OFD byte-range locks in qemu's layout): what
/// the engine holds, qemu-img and qemu-io respect, and force-share is qemu's -U on both sides.
/// (qemu holding an image against the vhd tool: tests/Tool TwoProcessLockTests.)
/// </summary>
public sealed class LockInteropTests
{
    private static string Image(TempDir dir)
    {
        string path = dir["a.vhd"];
        using var d = VirtualDisk.Create(dir.Fs, path, new VhdCreateOptions { Size = 8 << 20, BlockSize = 512 << 10 });
        d.Flush();
        return path;
    }

    [Fact]
    public void An_engine_writer_keeps_qemu_readers_and_writers_out_but_not_force_share()
    {
        using var dir = new TempDir("locks");
        string image = Image(dir);
        using (var writer = VirtualDisk.Open(dir.Fs, image, FileAccess.ReadWrite))
        {
            var info = Tools.QemuImg("info", "-f", "vpc", image);
            Assert.True(info.ExitCode == 1, info.ToString());
            Assert.Contains("Failed to get shared \"write\" lock", info.StdErr, StringComparison.Ordinal);
            Assert.True(Tools.QemuImg("info", "-U", "-f", "vpc", image).ExitCode == 0);
            var write = Tools.QemuIo("-f", "vpc", "-c", "write -P 7 0 512", image);
            Assert.True(write.ExitCode == 1, write.ToString());
        }
        Assert.True(Tools.QemuIo("-f", "vpc", "-c", "write -P 7 0 512", image).ExitCode == 0);
    }

    [Fact]
    public void An_engine_reader_lets_qemu_read_and_keeps_qemu_writers_out()
    {
        using var dir = new TempDir("locks");
        string image = Image(dir);
        using var reader = VirtualDisk.Open(dir.Fs, image);
        var info = Tools.QemuImg("info", "-f", "vpc", image);
        Assert.True(info.ExitCode == 0, info.ToString());
        var write = Tools.QemuIo("-f", "vpc", "-c", "write -P 7 0 512", image);
        Assert.True(write.ExitCode == 1, write.ToString());
        Assert.Contains("lock", write.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_force_share_reader_blocks_no_qemu_writer()
    {
        using var dir = new TempDir("locks");
        string image = Image(dir);
        using var shared = VirtualDisk.Open(dir.Fs, image, FileAccess.Read, new VhdOpenOptions { ForceShare = true });
        var write = Tools.QemuIo("-f", "vpc", "-c", "write -P 7 0 512", image);
        Assert.True(write.ExitCode == 0, write.ToString());
        // The force-share reader's view is its own (its table was read before qemu allocated):
        // what force-share warns about. Another force-share open sees qemu's write.
        using var again = VirtualDisk.Open(dir.Fs, image, FileAccess.Read, new VhdOpenOptions { ForceShare = true });
        var back = new byte[512];
        again.Read(0, back);
        Assert.All(back, b => Assert.Equal(7, b));
    }

    [Fact]
    public void A_qemu_writer_that_ended_left_no_lock_behind()
    {
        using var dir = new TempDir("locks");
        string image = Image(dir);
        Assert.True(Tools.QemuIo("-f", "vpc", "-c", "write -P 1 0 4096", image).ExitCode == 0);
        using var writer = VirtualDisk.Open(dir.Fs, image, FileAccess.ReadWrite);
        Assert.True(writer.CanWrite);
    }
}
