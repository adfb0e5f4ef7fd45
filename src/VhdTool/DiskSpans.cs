using System.Diagnostics;
using System.Diagnostics.Metrics;
using Storage.VhdEngine.Disks;

namespace Storage.VhdTool;

/// <summary>
/// The one-shot commands run on the engine in-process (no ActorSystem): these record what the
/// store's facade records for the same operations (DESIGN.md §8): a vhd.open, vhd.read, vhd.write
/// or vhd.flush span on "Storage.Vhd" (tags vhd.image, vhd.offset, vhd.length; error status on
/// failure) with the engine's own spans (vhd.block.allocate, ...) inside, and vhd.io.duration.
/// Free when nothing listens.
/// </summary>
internal static class DiskSpans
{
    /// <summary>The spans of the disk operations, under the engine's name (the engine's own spans nest inside them).</summary>
    private static readonly ActivitySource Source = new(VirtualDisk.TelemetryName, "1.0.0");

    private static readonly Meter Meter = new(VirtualDisk.TelemetryName, "1.0.0");

    /// <summary>vhd.io.duration, as the store records it (buckets from 1 us to 1 s).</summary>
    private static readonly Histogram<double> IoDuration = Meter.CreateHistogram(
        "vhd.io.duration",
        unit: "s",
        description: "Duration of image reads, writes and flushes",
        tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1e-6, 5e-6, 1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 5e-3, 1e-2, 5e-2, 0.1, 0.5, 1.0] });

    private static readonly KeyValuePair<string, object?> ReadTag = new("vhd.operation", "read");
    private static readonly KeyValuePair<string, object?> WriteTag = new("vhd.operation", "write");
    private static readonly KeyValuePair<string, object?> FlushTag = new("vhd.operation", "flush");

    /// <summary>Opens (or, with <paramref name="create"/>, creates) an image under a vhd.open span; format errors name the file.</summary>
    public static VirtualDisk Open(ToolEnvironment env, string path, FileAccess access, VhdOpenOptions? options = null, VhdCreateOptions? create = null)
    {
        using var span = Start("vhd.open", path);
        try
        {
            return create is null ? ImageFiles.Open(env, path, access, options) : VirtualDisk.Create(env.FileSystem, path, create);
        }
        catch (Exception e)
        {
            Failed(span, e);
            throw;
        }
    }

    public static void Read(VirtualDisk disk, long offset, Span<byte> buffer)
    {
        using var span = Start("vhd.read", disk.Path, offset, buffer.Length);
        long t0 = Stopwatch.GetTimestamp();
        try
        {
            disk.Read(offset, buffer);
        }
        catch (Exception e)
        {
            Failed(span, e);
            throw;
        }
        Record(t0, ReadTag);
    }

    public static void Write(VirtualDisk disk, long offset, ReadOnlySpan<byte> data)
    {
        using var span = Start("vhd.write", disk.Path, offset, data.Length);
        long t0 = Stopwatch.GetTimestamp();
        try
        {
            disk.Write(offset, data);
        }
        catch (Exception e)
        {
            Failed(span, e);
            throw;
        }
        Record(t0, WriteTag);
    }

    public static void Flush(VirtualDisk disk)
    {
        using var span = Start("vhd.flush", disk.Path);
        long t0 = Stopwatch.GetTimestamp();
        try
        {
            disk.Flush();
        }
        catch (Exception e)
        {
            Failed(span, e);
            throw;
        }
        Record(t0, FlushTag);
    }

    private static Activity? Start(string name, string path, long offset = -1, int length = -1)
    {
        var span = Source.StartActivity(name, ActivityKind.Internal);
        if (span is null) return null;
        span.SetTag("vhd.image", path);
        if (offset >= 0) span.SetTag("vhd.offset", offset);
        if (length >= 0) span.SetTag("vhd.length", length);
        return span;
    }

    private static void Failed(Activity? span, Exception e) => span?.SetStatus(ActivityStatusCode.Error, e.Message);

    private static void Record(long start, KeyValuePair<string, object?> operation)
    {
        if (IoDuration.Enabled) IoDuration.Record(Stopwatch.GetElapsedTime(start).TotalSeconds, operation);
    }
}
