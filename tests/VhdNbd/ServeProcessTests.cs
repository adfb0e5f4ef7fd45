using System.Text.Json;
using Storage.Tests.VhdNbd.Infrastructure;
using Storage.VhdEngine.Disks;
using Xunit;

namespace Storage.Tests.VhdNbd;

/// <summary>`vhd serve` as its own process, with real clients in theirs.</summary>
public sealed class ServeProcessTests : IDisposable
{
    private readonly TestDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Serve_prints_one_line_serves_every_image_and_SIGTERM_flushes_closes_and_exits_0()
    {
        Images.Dynamic(_dir["a.vhd"]);
        Images.Dynamic(_dir["vms/web.vhd"]);
        using var serve = ServeProcess.Start(_dir.Path, "--listen", "127.0.0.1:0");
        Assert.Equal(2, serve.Exports);
        var list = Cli.Ok("nbdinfo", "--list", "--json", $"nbd://127.0.0.1:{serve.Port}");
        using (var json = JsonDocument.Parse(list.Out))
            Assert.Equal(["a.vhd", "vms/web.vhd"], json.RootElement.GetProperty("exports").EnumerateArray().Select(e => e.GetProperty("export-name").GetString()).Order());
        var write = Cli.Ok("qemu-io", "-f", "raw", serve.Uri("vms/web.vhd"), "-c", "write -P 0x5c 1M 64k");
        Assert.DoesNotContain("fail", write.Out + write.Err, StringComparison.OrdinalIgnoreCase);
        // A client still connected, its write not flushed, when SIGTERM comes: the stop must flush it.
        using var client = RawNbdClient.Open(serve.Port, "a.vhd");
        Assert.Equal(0u, client.Request(RawNbdClient.Write, 4096, 4096, Images.Pattern(4096, 77)).Error);
        var (code, rest, err) = serve.Stop("TERM");
        Assert.True(client.ClosedByServer());
        Assert.Equal(0, code);
        Assert.Equal("", rest); // the listening line was the only one
        Assert.Equal("vhd serve: stopping\nvhd serve: every connection closed, every image flushed and closed\n", err);
        // Closed and unlocked: both open for writing here, with what the clients wrote.
        using var disk = VirtualDisk.Open(Images.Fs, _dir["vms/web.vhd"], FileAccess.ReadWrite);
        var back = new byte[65536];
        disk.Read(1 << 20, back);
        Assert.All(back, b => Assert.Equal(0x5c, b));
        using var a = VirtualDisk.Open(Images.Fs, _dir["a.vhd"], FileAccess.ReadWrite);
        var four = new byte[4096];
        a.Read(4096, four);
        Assert.Equal(Images.Pattern(4096, 77), four);
    }

    [Fact]
    public void Read_only_serving_refuses_writes_and_Ctrl_C_exits_0()
    {
        Images.Dynamic(_dir["a.vhd"]);
        using var serve = ServeProcess.Start(_dir.Path, "--listen", "127.0.0.1:0", "--read-only");
        var info = Cli.Ok("nbdinfo", "--json", serve.Uri("a.vhd"));
        using (var json = JsonDocument.Parse(info.Out))
            Assert.True(json.RootElement.GetProperty("exports")[0].GetProperty("is_read_only").GetBoolean());
        var write = Cli.Run("qemu-io", "-f", "raw", serve.Uri("a.vhd"), "-c", "write 0 512");
        Assert.Contains("Permission denied", write.Err);
        var (code, _, err) = serve.Stop("INT");
        Assert.Equal(0, code);
        Assert.StartsWith("vhd serve: stopping\n", err);
    }

    [Fact]
    public void A_bad_listen_address_is_a_usage_error_and_a_missing_directory_an_error()
    {
        var bad = Cli.Run(VhdExe.Host, "serve", _dir.Path, "--listen", "localhost");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--listen", bad.Err);
        var missing = Cli.Run(VhdExe.Host, "serve", _dir["nope"], "--listen", "127.0.0.1:0");
        Assert.Equal(1, missing.ExitCode);
        Assert.Matches("^vhd: .*nope: no such directory\n$", missing.Err);
    }
}
