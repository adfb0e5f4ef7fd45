using Storage.VhdEngine;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Storage.VhdActors;

/// <summary>Subscribes OpenTelemetry to the "Storage.Vhd" ActivitySource and Meter (DESIGN.md §8).</summary>
public static class VhdInstrumentationExtensions
{
    /// <summary>Adds the vhd.* spans: open, read, write, flush, snapshot, commit, block allocation, check.</summary>
    public static TracerProviderBuilder AddVhdInstrumentation(this TracerProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddSource(VhdTelemetry.Name);
    }

    /// <summary>Adds the vhd.* metrics: bytes moved, I/O durations, allocations, metadata writes, open images, actor restarts.</summary>
    public static MeterProviderBuilder AddVhdInstrumentation(this MeterProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddMeter(VhdTelemetry.Name);
    }
}
