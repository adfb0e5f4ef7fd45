using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Storage.VhdEngine;

/// <summary>
/// The engine's ActivitySource and Meter, both named "Storage.Vhd" (<see cref="Disks.VirtualDisk.TelemetryName"/>,
/// DESIGN.md §8): the engine's own spans (vhd.block.allocate, vhd.check, vhd.snapshot, vhd.commit,
/// vhd.metadata.write) and metrics (vhd.io, vhd.block.allocations, vhd.metadata.writes). The layers
/// above (the actors, the tool) keep their instruments under the same name in their own assemblies.
/// Instruments cost nothing when no listener is attached.
/// </summary>
internal static class VhdTelemetry
{
    /// <summary>The name of the ActivitySource and the Meter.</summary>
    public const string Name = Disks.VirtualDisk.TelemetryName;

    /// <summary>Spans of the engine.</summary>
    public static readonly ActivitySource ActivitySource = new(Name, "1.0.0");

    /// <summary>Metrics of the engine.</summary>
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
