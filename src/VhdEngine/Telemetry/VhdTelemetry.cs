using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Storage.Vhd;

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
