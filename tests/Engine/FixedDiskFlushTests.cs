using Storage.Tests.Engine.Support;
using Storage.VhdEngine.Disks;
using Xunit;

namespace Storage.Tests.Engine;

/// <summary>
/// A fixed image's writes go to the file once, and its flushes sync as DESIGN.md §4 asks: a durable
/// flush fsyncs when something was written since the last sync, a non-durable one never does.
/// </summary>
public sealed class FixedDiskFlushTests
{
    private const int M = 1024 * 1024;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_durable_flush_syncs_what_was_written_since_the_last_sync_and_nothing_else_does(bool handles)
    {
        var fs = new TestFs(handles);
        using var d = VirtualDisk.Create(fs, "/d/a.vhd", new VhdCreateOptions { Type = VhdDiskType.Fixed, Size = M });
        d.Flush();
        fs.ResetCounts();

        d.Write(4096, Img.Random(1, 4096));
        d.Flush();
        Assert.Equal(1, fs.Count("fsync"));
        d.Flush();
        Assert.Equal(1, fs.Count("fsync"));

        d.Write(0, Img.Random(2, 512));
        d.Flush(durable: false);
        Assert.Equal(1, fs.Count("fsync"));
        d.Flush();
        Assert.Equal(2, fs.Count("fsync"));
        Assert.Equal(Img.Random(2, 512), fs.File.ReadAllBytes("/d/a.vhd")[..512]);
    }

    [Fact]
    public void A_write_reaches_the_file_once()
    {
        var fs = new TestFs(handles: true);
        using var d = VirtualDisk.Create(fs, "/d/a.vhd", new VhdCreateOptions { Type = VhdDiskType.Fixed, Size = M });
        fs.ResetCounts();
        using var t = new TelemetryRecorder();
        d.Write(8192, Img.Random(3, 1536));
        Assert.Equal(1, fs.Count("write"));
        Assert.Equal(1536, t.IoBytes("write"));
    }
}
