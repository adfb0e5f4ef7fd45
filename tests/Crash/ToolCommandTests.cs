using System.IO.Abstractions;
using System.Text.Json;
using Storage.FaultInjection;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;
using Storage.VhdTool;
using Xunit;

namespace Storage.Tests.Crash;

/// <summary>`vhd crashtest`, `vhd check` and `vhd repair`, run in-process.</summary>
public sealed class ToolCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("crash-tool-").FullName;

    public void Dispose()
    {
        foreach (string file in Directory.EnumerateFiles(_dir)) File.SetAttributes(file, FileAttributes.Normal);
        Directory.Delete(_dir, recursive: true);
    }

    private static (int Code, string Out, string Err) Vhd(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = Program.Run(args, o, e, new MemoryStream(), new MemoryStream());
        return (code, o.ToString(), e.ToString());
    }

    [Fact]
    public void Crashtest_reports_states_per_workload_as_json()
    {
        var (code, output, err) = Vhd("crashtest", "--json", "--workload", "first-write-differencing,create-fixed", "--seed", "3");
        Assert.True(code == 0, output + err);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(3, root.GetProperty("seed").GetInt32());
        long states = root.GetProperty("statesExplored").GetInt64();
        Assert.True(states > 200, $"{states} states");
        Assert.Equal(0, root.GetProperty("failures").GetArrayLength());
        var workloads = root.GetProperty("workloads").EnumerateArray().ToList();
        Assert.Equal(["first-write-differencing", "create-fixed"], workloads.Select(w => w.GetProperty("name").GetString()));
        Assert.Equal(states, workloads.Sum(w => w.GetProperty("statesExplored").GetInt64()));
        Assert.All(workloads, w => Assert.True(w.GetProperty("ioErrorRuns").GetInt64() > 0));
    }

    [Fact]
    public void Crashtest_prints_a_table_and_replays_a_state()
    {
        var (code, output, err) = Vhd("crashtest", "--workload", "repair-missing-footer", "--no-io-errors");
        Assert.True(code == 0, output + err);
        Assert.Contains("repair-missing-footer", output, StringComparison.Ordinal);
        Assert.Contains("states/s", output, StringComparison.Ordinal);

        // The repair passes two durability points (footer, then the shorter length): the end is epoch 2.
        var replay = Vhd("crashtest", "--replay", "repair-missing-footer@end@E2:p0");
        Assert.True(replay.Code == 0, replay.Out + replay.Err);
        Assert.Contains("total: 1 crash states", replay.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Crashtest_replay_of_a_crash_point_never_reached_fails_naming_the_points()
    {
        var (code, output, err) = Vhd("crashtest", "--replay", "first-write@flush9@E0:p0");
        Assert.True(code == 2, $"exit {code}: {output}{err}");
        Assert.StartsWith("vhd: ", err, StringComparison.Ordinal);
        Assert.Contains("flush9 is never reached", err, StringComparison.Ordinal);
        Assert.Contains("3 crash points (flush0, flush1, end)", err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--seed", "x")]
    [InlineData("--time", "-1")]
    [InlineData("--replay", "nonsense")]
    [InlineData("--workload", "no-such-workload")]
    public void Crashtest_rejects_bad_options_with_exit_2(string option, string value)
    {
        var (code, _, err) = Vhd("crashtest", option, value);
        Assert.Equal(2, code);
        Assert.StartsWith("vhd: ", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Crashtest_lists_its_workloads()
    {
        var (code, output, _) = Vhd("crashtest", "--list");
        Assert.Equal(0, code);
        Assert.Contains("commit-drop", output, StringComparison.Ordinal);
    }

    private string Dynamic(string name, Action<VirtualDisk>? fill = null)
    {
        string path = Path.Combine(_dir, name);
        using var disk = VirtualDisk.Create(new FileSystem(), path, new VhdCreateOptions { Size = 4 << 20, BlockSize = 512 << 10 });
        fill?.Invoke(disk);
        disk.Flush();
        return path;
    }

    /// <summary>An image with a block allocated but never flushed (its BAT entry lost): leaked tail space.</summary>
    private string Leaked(string name)
    {
        string path = Dynamic(name, d => d.Write(0, new byte[4096].Select(_ => (byte)1).ToArray()));
        var fs = new FaultFileSystem(new FileSystem());
        using (var disk = VirtualDisk.Open(fs, path, FileAccess.ReadWrite))
            disk.Write(3L << 19, new byte[4096].Select(_ => (byte)2).ToArray());
        var crashed = fs.Materialize(CrashState.Prefix(fs.Epoch, fs.GetDisk(path)!.PendingOperationCount))[path];
        File.WriteAllBytes(path, crashed.ToArray());
        return path;
    }

    [Fact]
    public void Check_passes_a_sound_image()
    {
        string path = Dynamic("a.vhd", d => d.Write(4096, new byte[512]));
        var (code, output, _) = Vhd("check", path, "--json");
        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(0, json.RootElement.GetProperty("errors").GetArrayLength());
        Assert.Equal(0, json.RootElement.GetProperty("leakedBytes").GetInt64());
        Assert.True(json.RootElement.TryGetProperty("warnings", out _));
    }

    [Fact]
    public void Check_reports_leaked_space_as_a_warning_and_repair_reclaims_it()
    {
        string path = Leaked("leaky.vhd");
        var (code, output, _) = Vhd("check", path, "--json");
        Assert.Equal(0, code);
        using (var json = JsonDocument.Parse(output))
        {
            Assert.True(json.RootElement.GetProperty("leakedBytes").GetInt64() > 0, output);
            Assert.NotEqual(0, json.RootElement.GetProperty("warnings").GetArrayLength());
        }

        long before = new FileInfo(path).Length;
        var repaired = Vhd("repair", path, "--json");
        Assert.True(repaired.Code == 0, repaired.Out + repaired.Err);
        Assert.True(new FileInfo(path).Length < before);
        using (var json = JsonDocument.Parse(repaired.Out))
            Assert.Equal(0, json.RootElement.GetProperty("leakedBytes").GetInt64());
        var text = Vhd("check", path);
        Assert.Equal(0, text.Code);
        Assert.Contains("no errors", text.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_exits_1_on_corruption()
    {
        string path = Dynamic("bad.vhd", d => d.Write(0, new byte[512]));
        // The block's bitmap sector becomes a footer: the trace of a BAT entry written before its bitmap.
        byte[] bytes = File.ReadAllBytes(path);
        var metadata = ImageMetadata.Load(BlockFile.Open(new FileSystem(), path, writable: false));
        long bitmap = (long)metadata.Bat![0] * 512;
        bytes.AsSpan(0, 512).CopyTo(bytes.AsSpan((int)bitmap));
        File.WriteAllBytes(path, bytes);

        var (code, output, _) = Vhd("check", path);
        Assert.Equal(1, code);
        Assert.Contains("error: ", output, StringComparison.Ordinal);
        Assert.Contains("holds a footer", output, StringComparison.Ordinal);
        var json = Vhd("check", path, "--json");
        Assert.Equal(1, json.Code);
        using var doc = JsonDocument.Parse(json.Out);
        Assert.Equal(1, doc.RootElement.GetProperty("errors").GetArrayLength());
    }

    [Fact]
    public void Check_and_repair_of_a_missing_file_fail_cleanly()
    {
        string missing = Path.Combine(_dir, "missing.vhd");
        Assert.Equal(1, Vhd("check", missing).Code);
        var repair = Vhd("repair", missing);
        Assert.Equal(1, repair.Code);
        Assert.StartsWith("vhd: ", repair.Err, StringComparison.Ordinal);
        Assert.Equal(2, Vhd("check").Code);
    }
}
