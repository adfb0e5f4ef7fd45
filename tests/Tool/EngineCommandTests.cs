using System.Collections.Concurrent;
using System.Diagnostics;
using Xunit;

namespace Storage.Tests.Tool;

/// <summary>
/// The one-shot commands (create, read, write, snapshot, commit) run on the engine in-process,
/// without an ActorSystem (the start-up of a one-shot command is the point, issue 14): no image
/// actor serves them, the tool records the store's operation spans itself, and snapshot freezes
/// the parent as the store does.
/// </summary>
public sealed class EngineCommandTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly ActivityListener _listener;

    public EngineCommandTests()
    {
        // Other tests run the tool at the same time: spans are told apart by image path.
        _listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == Storage.VhdEngine.Disks.VirtualDisk.TelemetryName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _spans.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose()
    {
        _listener.Dispose();
        _dir.Dispose();
    }

    private string[] Spans(string image) =>
        [.. _spans.Where(a => Equals(a.GetTagItem("vhd.image"), image)).Select(a => a.OperationName)];

    [Fact]
    public void Create_write_read_snapshot_and_commit_run_on_the_engine_without_actors()
    {
        string image = _dir["a.vhd"], child = _dir["a-1.vhd"];
        Vhd.Ok("create", image, "--size", "4M");
        Assert.Equal(["vhd.open"], Spans(image));
        var data = ReadWriteTests.Random(5000, 50);
        Assert.Equal(0, Vhd.RunWithInput(data, "write", image, "--offset", "100").ExitCode);
        Assert.Equal(data, Vhd.Ok("read", image, "--offset", "100", "--length", "5000").Bytes);
        Vhd.Ok("snapshot", image, child);
        Vhd.Ok("commit", child);

        string[] onImage = Spans(image);
        Assert.Equal(["vhd.open", "vhd.open", "vhd.write", "vhd.flush", "vhd.open", "vhd.read"], onImage);
        Assert.Contains(_spans, a => a.OperationName == "vhd.snapshot");
        Assert.Contains(_spans, a => a.OperationName == "vhd.commit");
        Assert.DoesNotContain(_spans, a => a.Kind == ActivityKind.Server && (Equals(a.GetTagItem("vhd.image"), image) || Equals(a.GetTagItem("vhd.image"), child)));
    }

    [Fact]
    public void Snapshot_freezes_the_parent_until_the_commit()
    {
        string image = _dir["a.vhd"], child = _dir["a-1.vhd"];
        Vhd.Ok("create", image, "--size", "4M");
        Vhd.Ok("snapshot", image, child);
        Assert.True(File.GetAttributes(image).HasFlag(FileAttributes.ReadOnly));
        var r = Vhd.RunWithInput([1, 2, 3], "write", image, "--offset", "0");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("read-only", Assert.Single(r.ErrLines));

        Vhd.Ok("commit", child, "--keep");
        Assert.True(File.GetAttributes(image).HasFlag(FileAttributes.ReadOnly));
        Vhd.Ok("commit", child);
        Assert.False(File.Exists(child));
        Assert.Equal(0, Vhd.RunWithInput([1, 2, 3], "write", image, "--offset", "0").ExitCode);
        Assert.Equal([1, 2, 3], Vhd.Ok("read", image, "--offset", "0", "--length", "3").Bytes);
    }

    [Fact]
    public void Engine_errors_are_one_line_with_the_path()
    {
        var r = Vhd.Run("snapshot", _dir["a.vhd"], _dir["a.vhd"]);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("cannot be its own parent", Assert.Single(r.ErrLines));
        r = Vhd.Run("read", _dir["none.vhd"], "--offset", "0", "--length", "1");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal($"vhd: {_dir["none.vhd"]}: no such image file", Assert.Single(r.ErrLines));
        File.WriteAllBytes(_dir["junk.vhd"], new byte[4096]);
        r = Vhd.Run("commit", _dir["junk.vhd"]);
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith($"vhd: {_dir["junk.vhd"]}: ", Assert.Single(r.ErrLines));
    }
}
