using System.Text.Json;
using Storage.Tests.VhdNbd.Infrastructure;
using Xunit;

namespace Storage.Tests.VhdNbd;

/// <summary>QEMU's NBD client (qemu-io, qemu-img) against the server on loopback.</summary>
public sealed class QemuClientTests : IDisposable
{
    private const int Block = 512 * 1024;
    private readonly TestDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Qemu_io_writes_patterns_and_reads_them_back_and_they_are_in_the_image()
    {
        string image = Images.Dynamic(_dir["a.vhd"]);
        await using (var host = await ServerHost.StartAsync(_dir.Path))
        {
            var r = QemuIo(host.Uri("a.vhd"),
                "write -P 0xab 0 64k", "write -P 0xcd 1M 4k", "write -P 0x11 5000 3000", "write -P 0x22 6M 1M", "flush",
                "read -P 0xab 0 4096", "read -P 0x11 5000 3000", "read -P 0xab 8000 57536", "read -P 0xcd 1M 4k", "read -P 0x22 6M 1M", "read -P 0 2M 1M");
            AssertClean(r);
        }
        // Stopped: the server flushed and closed the image; the engine reads what qemu wrote.
        byte[] disk = Images.Content(image);
        AssertFilled(disk, 0, 5000, 0xab);
        AssertFilled(disk, 5000, 3000, 0x11);
        AssertFilled(disk, 8000, 65536 - 8000, 0xab);
        AssertFilled(disk, 1 << 20, 4096, 0xcd);
        AssertFilled(disk, 6 << 20, 1 << 20, 0x22);
        AssertFilled(disk, 2 << 20, 4 << 20, 0);
    }

    [Fact]
    public async Task Qemu_img_convert_over_nbd_equals_vhd_read()
    {
        var data = Images.Pattern(3 * Block + 1234, 7);
        string image = Images.Dynamic(_dir["a.vhd"], fill: d => { d.Write(Block / 2, data); d.Write(7 * Block, data.AsSpan(0, 4096)); });
        string viaNbd = _dir["nbd.raw"], viaTool = _dir["tool.raw"];
        await using (var host = await ServerHost.StartAsync(_dir.Path))
            Cli.Ok("qemu-img", "convert", "-f", "raw", "-O", "raw", host.Uri("a.vhd"), viaNbd);
        VhdExe.Ok("read", image, "--offset", "0", "--length", (8 << 20).ToString(), "--output", viaTool);
        Assert.Equal(8 << 20, new FileInfo(viaNbd).Length);
        Assert.True(File.ReadAllBytes(viaTool).AsSpan().SequenceEqual(File.ReadAllBytes(viaNbd)), "qemu-img convert over NBD differs from vhd read");
    }

    [Fact]
    public async Task Qemu_img_map_sees_the_holes()
    {
        // 16 blocks of 512 KiB; data in blocks 2, 3 and 9.
        Images.Dynamic(_dir["a.vhd"], fill: d =>
        {
            d.Write(2 * Block + 100, new byte[] { 1 });
            d.Write(3 * Block, new byte[] { 3 });
            d.Write(9 * Block + Block - 1, new byte[] { 9 });
        });
        await using var host = await ServerHost.StartAsync(_dir.Path);
        var map = Cli.Ok("qemu-img", "map", "--output=json", "-f", "raw", host.Uri("a.vhd"));
        using var json = JsonDocument.Parse(map.Out);
        var data = json.RootElement.EnumerateArray()
            .Where(e => e.GetProperty("data").GetBoolean())
            .Select(e => (e.GetProperty("start").GetInt64(), e.GetProperty("length").GetInt64()))
            .ToList();
        Assert.Equal([(2L * Block, 2L * Block), (9L * Block, (long)Block)], data);
        Assert.All(json.RootElement.EnumerateArray().Where(e => !e.GetProperty("data").GetBoolean()),
            e => Assert.True(e.GetProperty("zero").GetBoolean(), $"hole not reported as zero: {e}"));
    }

    [Fact]
    public async Task A_differencing_export_reads_through_its_parents_and_the_parent_is_read_only()
    {
        string base_ = Images.Dynamic(_dir["base.vhd"], fill: d => { d.Write(0, Filled(64 << 10, 0xaa)); d.Write(1 << 20, Filled(4096, 0xbb)); });
        string middle = Images.Child(base_, _dir["middle.vhd"], d => d.Write(2 << 20, Filled(4096, 0xcc)));
        Images.Child(middle, _dir["child.vhd"], d => d.Write(32 << 10, Filled(64 << 10, 0xdd)));
        await using var host = await ServerHost.StartAsync(_dir.Path);
        AssertClean(QemuIo(host.Uri("child.vhd"),
            "read -P 0xaa 0 32k", "read -P 0xdd 32k 64k", "read -P 0 96k 928k", "read -P 0xbb 1M 4k", "read -P 0xcc 2M 4k",
            "write -P 0xee 1M 512", "read -P 0xee 1M 512", "read -P 0xbb 1049088 3584"));
        // The parents are exports too, read-only: writing one would change what its children read.
        var write = QemuIo(host.Uri("base.vhd"), "write -P 0x01 0 512");
        Assert.True(write.Err.Contains("Permission denied"), write.ToString()); // qemu sees NBD_FLAG_READ_ONLY and will not open it for writing
        AssertClean(QemuIoReadOnly(host.Uri("base.vhd"), "read -P 0xbb 1M 4k", "read -P 0 2M 4k"));
        AssertClean(QemuIoReadOnly(host.Uri("middle.vhd"), "read -P 0xcc 2M 4k", "read -P 0xaa 32k 32k"));
    }

    [Fact]
    public async Task Qemu_io_discard_frees_whole_blocks_and_the_range_reads_zeros()
    {
        // 16 blocks of 512 KiB, all holding 0x5a.
        string image = Images.Dynamic(_dir["a.vhd"], fill: d => d.Write(0, Filled(8 << 20, 0x5a)));
        // Blocks 2..5 whole, plus 4 KiB of blocks 1 and 6 at the edges: NBD_CMD_TRIM, then a flush.
        long offset = 2 * Block - 4096, length = 4 * Block + 8192;
        await using (var host = await ServerHost.StartAsync(_dir.Path))
        {
            AssertClean(QemuIo(host.Uri("a.vhd"), $"discard {offset} {length}", "flush",
                $"read -P 0 {offset} {length}", $"read -P 0x5a 0 {offset}", $"read -P 0x5a {offset + length} {(8 << 20) - offset - length}"));
        }
        byte[] disk = Images.Content(image);
        AssertFilled(disk, 0, (int)offset, 0x5a);
        AssertFilled(disk, (int)offset, (int)length, 0);
        AssertFilled(disk, (int)(offset + length), (int)((8 << 20) - offset - length), 0x5a);
        using var opened = Storage.VhdEngine.Disks.VirtualDisk.Open(Images.Fs, image, FileAccess.Read);
        Assert.Equal(12, opened.Info.AllocatedBlocks);
    }

    private static CliResult QemuIo(string uri, params string[] commands) => RunQemuIo([], uri, commands);

    private static CliResult QemuIoReadOnly(string uri, params string[] commands) => RunQemuIo(["-r"], uri, commands);

    private static CliResult RunQemuIo(string[] options, string uri, string[] commands)
    {
        var args = new List<string>(options) { "-f", "raw", uri };
        foreach (var c in commands) { args.Add("-c"); args.Add(c); }
        return Cli.Run("qemu-io", [.. args]);
    }

    /// <summary>qemu-io prints failures (and pattern mismatches) rather than always failing its exit code.</summary>
    private static void AssertClean(CliResult r)
    {
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.DoesNotContain("fail", r.Out + r.Err, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("error", r.Out + r.Err, StringComparison.OrdinalIgnoreCase);
    }

    private static byte[] Filled(int length, byte value) => Enumerable.Repeat(value, length).ToArray();

    private static void AssertFilled(byte[] disk, int offset, int length, byte value)
    {
        int bad = disk.AsSpan(offset, length).IndexOfAnyExcept(value);
        Assert.True(bad < 0, $"byte {offset + bad} is 0x{disk[offset + Math.Max(bad, 0)]:x2}, expected 0x{value:x2}");
    }
}
