using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Storage.VhdEngine;

/// <summary>
/// The engine's ActivitySource and Meter, both named "Storage.Vhd" (DESIGN.md §8). Instruments
/// cost nothing when no listener is attached.
/// </summary>
public static class VhdTelemetry
{
    /// <summary>The name of the ActivitySource and the Meter.</summary>
    public const string Name = "Storage.Vhd";

    /// <summary>Spans of the engine and the actors.</summary>
    public static readonly ActivitySource ActivitySource = new(Name, "1.0.0");

    /// <summary>Metrics of the engine and the actors.</summary>
    public static readonly Meter Meter = new(Name, "1.0.0");

    /// <summary>Bytes moved to and from image files (attribute disk.io.direction: read|write).</summary>
    public static readonly Counter<long> Io = Meter.CreateCounter<long>("vhd.io", "By", "Bytes read from and written to image files");

    /// <summary>Blocks allocated in dynamic and differencing images.</summary>
    public static readonly Counter<long> BlockAllocations = Meter.CreateCounter<long>("vhd.block.allocations", "{block}", "Blocks allocated");

    /// <summary>Metadata writes: BAT sectors, bitmaps, footers, headers.</summary>
    public static readonly Counter<long> MetadataWrites = Meter.CreateCounter<long>("vhd.metadata.writes", "{write}", "Metadata writes (BAT, bitmap, footer)");

    /// <summary>
    /// Duration of one read, write or flush as the image's owner ran it (attribute
    /// vhd.operation). Buckets from 1 us to 1 s: the default buckets start at 5 ms and would
    /// lump every cached read into one bar.
    /// </summary>
    public static readonly Histogram<double> IoDuration = Meter.CreateHistogram(
        "vhd.io.duration",
        unit: "s",
        description: "Duration of image reads, writes and flushes",
        tags: null,
        advice: new InstrumentAdvice<double>
        {
            HistogramBucketBoundaries = [1e-6, 5e-6, 1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 5e-3, 1e-2, 5e-2, 0.1, 0.5, 1.0],
        });

    /// <summary>Images currently open by image actors.</summary>
    public static readonly UpDownCounter<long> ImagesOpen = Meter.CreateUpDownCounter<long>("vhd.images.open", "{image}", "Images currently open");

    /// <summary>Restarts of image actors after I/O failures (each one reopens its image).</summary>
    public static readonly Counter<long> ActorRestarts = Meter.CreateCounter<long>("vhd.actor.restarts", "{restart}", "Image actor restarts");

    private static readonly KeyValuePair<string, object?> ReadTag = new("disk.io.direction", "read");
    private static readonly KeyValuePair<string, object?> WriteTag = new("disk.io.direction", "write");

    internal static void RecordIo(long bytes, bool read)
    {
        if (Io.Enabled) Io.Add(bytes, read ? ReadTag : WriteTag);
    }

    internal static void RecordMetadataWrite(string kind)
    {
        if (MetadataWrites.Enabled) MetadataWrites.Add(1, new KeyValuePair<string, object?>("vhd.metadata.kind", kind));
    }
}
