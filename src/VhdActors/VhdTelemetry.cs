using System.Diagnostics;
using System.Diagnostics.Metrics;
using Storage.VhdEngine.Disks;

namespace Storage.VhdActors;

/// <summary>
/// The actors' spans and metrics, under the engine's name "Storage.Vhd" (<see cref="VirtualDisk.TelemetryName"/>,
/// DESIGN.md §8): one ActivitySource and Meter name for everything the component records, so
/// <see cref="VhdInstrumentationExtensions"/> subscribes to the engine's instruments and these at once.
/// </summary>
internal static class VhdTelemetry
{
    /// <summary>The name of the ActivitySource and the Meter.</summary>
    public const string Name = VirtualDisk.TelemetryName;

    /// <summary>The facade's and the actors' spans (vhd.open, vhd.read, vhd.write, vhd.flush, vhd.snapshot, vhd.commit).</summary>
    public static readonly ActivitySource ActivitySource = new(Name, "1.0.0");

    /// <summary>The actors' metrics.</summary>
    public static readonly Meter Meter = new(Name, "1.0.0");

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
}
