using System.Diagnostics;
using System.IO.Abstractions;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Xunit;
using Xunit.Abstractions;

namespace Storage.Tests.Tool;

/// <summary>
/// One writer per image between real processes (DESIGN.md §10): the built `vhd` against another
/// `vhd`, against this test process, and against qemu-io and qemu-img, whose image locking uses
/// the same OFD byte-range locks. Linux: the holder is named from /proc, and kill -9 is SIGKILL.
/// </summary>
public sealed class TwoProcessLockTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly FileSystem _fs = new();

    public void Dispose() => _dir.Dispose();

    private string NewImage(string name = "a.vhd")
    {
        string image = _dir[name];
        Vhd.Ok("create", image, "--size", "16M", "--block-size", "512K");
        return image;
    }

    private byte[] ReadBack(string image, long offset, int length)
    {
        using var disk = VirtualDisk.Open(_fs, image);
        var bytes = new byte[length];
        disk.Read(offset, bytes);
        return bytes;
    }

    [Fact]
    public void A_second_writer_is_refused_readers_need_force_share_and_the_first_write_lands()
    {
        string image = NewImage();
        var first = ReadWriteTests.Random(100_000, 1);
        var second = ReadWriteTests.Random(100_000, 2);
        using (var holder = HeldImage.VhdWriter(image, 0))
        {
            string held = $"held for writing by process {holder.Pid} (";
            var w = Vhd.Exec(second, "write", image, "--offset", "4M");
            Assert.Equal(1, w.ExitCode);
            var line = Assert.Single(w.ErrLines);
            Assert.StartsWith($"vhd: {image}: the image is in use and cannot be opened for writing: {held}", line, StringComparison.Ordinal);

            foreach (string[] command in new[] { new[] { "info", image }, ["check", image], ["read", image, "--offset", "0", "--length", "512"] })
            {
                var refused = Vhd.Exec(null, command);
                Assert.Equal(1, refused.ExitCode);
                Assert.Contains(held, refused.Err, StringComparison.Ordinal);
                Assert.Contains("--force-share", refused.Err, StringComparison.Ordinal);
            }
            var info = Vhd.Exec(null, "info", image, "--force-share");
            Assert.Equal(0, info.ExitCode);
            Assert.Contains(held, info.Out, StringComparison.Ordinal);
            Assert.Equal(0, Vhd.Exec(null, "check", image, "--force-share").ExitCode);
            var read = Vhd.Exec(null, "read", image, "--offset", "0", "--length", "512", "--force-share");
            Assert.Equal(0, read.ExitCode);
            Assert.Contains("warning", read.Err, StringComparison.Ordinal);

            var (code, err) = holder.Finish(first);
            Assert.True(code == 0, err);
        }
        Assert.Equal(0, Vhd.Exec(second, "write", image, "--offset", "4M").ExitCode);
        Assert.Equal(first, ReadBack(image, 0, first.Length));
        Assert.Equal(second, ReadBack(image, 4 << 20, second.Length));
    }

    [Fact]
    public void Kill_9_of_the_holder_frees_the_image_at_once()
    {
        var figures = new List<string>();
        for (int round = 0; round < 3; round++)
        {
            string image = NewImage($"k{round}.vhd");
            using var holder = HeldImage.VhdWriter(image, 0);
            var clock = Stopwatch.StartNew();
            holder.Kill();
            double gone = clock.Elapsed.TotalMilliseconds;
            // No retry: the first open after the holder is reaped gets the image.
            VirtualDisk.Open(_fs, image, FileAccess.ReadWrite).Dispose();
            double free = clock.Elapsed.TotalMilliseconds;
            var w = Vhd.Exec([1, 2, 3], "write", image, "--offset", "0");
            Assert.True(w.ExitCode == 0, w.ToString());
            figures.Add($"round {round}: holder reaped {gone:0.0} ms after SIGKILL; the image opened for writing at the first try, {free - gone:0.0} ms later; a new vhd write process finished {clock.Elapsed.TotalMilliseconds - free:0} ms after that");
            Assert.Equal(new byte[] { 1, 2, 3 }, ReadBack(image, 0, 3));
        }
        foreach (string f in figures) output.WriteLine(f);
    }

    [Fact]
    public void This_process_reading_keeps_vhd_writers_out_and_writing_keeps_vhd_readers_out()
    {
        string image = NewImage();
        int self = Environment.ProcessId;
        using (var reader = VirtualDisk.Open(_fs, image))
        {
            var w = Vhd.Exec([9], "write", image, "--offset", "0");
            Assert.Equal(1, w.ExitCode);
            Assert.Contains($"held for reading by process {self} (", w.Err, StringComparison.Ordinal);
            Assert.Equal(0, Vhd.Exec(null, "read", image, "--offset", "0", "--length", "512").ExitCode);
            Assert.Equal(0, Vhd.Exec(null, "info", image).ExitCode);
        }
        using (var writer = VirtualDisk.Open(_fs, image, FileAccess.ReadWrite))
        {
            var r = Vhd.Exec(null, "read", image, "--offset", "0", "--length", "512");
            Assert.Equal(1, r.ExitCode);
            Assert.Contains($"held for writing by process {self} (", r.Err, StringComparison.Ordinal);
            Assert.Equal(0, Vhd.Exec(null, "read", image, "--offset", "0", "--length", "512", "--force-share").ExitCode);
        }
    }

    [Fact]
    public async Task Racing_writers_never_both_write_and_never_lose_a_finished_write()
    {
        int admitted = 0, refused = 0;
        for (int round = 0; round < 6; round++)
        {
            string image = NewImage($"r{round}.vhd");
            var a = ReadWriteTests.Random(65536, 10 + round);
            var b = ReadWriteTests.Random(65536, 20 + round);
            var both = new[] { (Data: a, Offset: 0L), (Data: b, Offset: 8L << 20) }
                .Select(w => Task.Run(() => Vhd.Exec(w.Data, "write", image, "--offset", w.Offset.ToString())))
                .ToArray();
            var results = await Task.WhenAll(both);
            for (int i = 0; i < 2; i++)
            {
                var r = results[i];
                var (data, offset) = i == 0 ? (a, 0L) : (b, 8L << 20);
                if (r.ExitCode == 0)
                {
                    admitted++;
                    Assert.Equal(data, ReadBack(image, offset, data.Length));
                }
                else
                {
                    refused++;
                    Assert.Equal(1, r.ExitCode);
                    Assert.Contains("in use", r.Err, StringComparison.Ordinal);
                }
            }
        }
        output.WriteLine($"12 racing writers: {admitted} finished (each write read back), {refused} refused");
    }

    [Fact]
    public void Qemu_img_and_qemu_io_respect_a_vhd_writer()
    {
        string image = NewImage();
        using var holder = HeldImage.VhdWriter(image, 0);
        var info = Run("qemu-img", "info", "-f", "vpc", image);
        Assert.Equal(1, info.Code);
        Assert.Contains("Failed to get shared \"write\" lock", info.Err, StringComparison.Ordinal);
        Assert.Equal(0, Run("qemu-img", "info", "-U", "-f", "vpc", image).Code);
        var write = Run("qemu-io", "-f", "vpc", "-c", "write 0 512", image);
        Assert.Equal(1, write.Code);
        Assert.Contains("lock", write.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Vhd_respects_qemu_io_as_a_writer_and_as_a_reader()
    {
        string image = NewImage();
        using (var writer = HeldImage.QemuIo(image, readOnly: false))
        {
            var w = Vhd.Exec([1], "write", image, "--offset", "0");
            Assert.Equal(1, w.ExitCode);
            Assert.Contains($"held for writing by process {writer.Pid} (qemu-io)", w.Err, StringComparison.Ordinal);
            Assert.Equal(1, Vhd.Exec(null, "info", image).ExitCode);
            Assert.Equal(0, Vhd.Exec(null, "info", image, "--force-share").ExitCode);
        }
        using (var reader = HeldImage.QemuIo(image, readOnly: true))
        {
            var w = Vhd.Exec([1], "write", image, "--offset", "0");
            Assert.Equal(1, w.ExitCode);
            Assert.Contains($"held for reading by process {reader.Pid} (qemu-io)", w.Err, StringComparison.Ordinal);
            Assert.Equal(0, Vhd.Exec(null, "info", image).ExitCode);
        }
        Assert.Equal(0, Vhd.Exec([1], "write", image, "--offset", "0").ExitCode);
    }

    private static (int Code, string Err) Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (string a in args) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        p.StandardInput.Close();
        var err = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(60_000)) { p.Kill(); throw new TimeoutException($"{file} did not exit"); }
        return (p.ExitCode, err.Result);
    }
}
