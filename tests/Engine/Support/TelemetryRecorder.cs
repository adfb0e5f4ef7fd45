using System.Diagnostics;
using System.Diagnostics.Metrics;
using Storage.VhdEngine.Disks;

namespace Storage.Tests.Engine.Support;

/// <summary>
/// Records the "Storage.Vhd" spans and long measurements (DESIGN.md §8) made on this test's async
/// flow only: listeners are process-wide and other test classes run in parallel, so each record
/// is kept only when the recorder's <see cref="AsyncLocal{T}"/> is set where it was made (the
/// engine reports synchronously, on the caller's thread).
/// </summary>
internal sealed class TelemetryRecorder : IDisposable
{
    private static readonly AsyncLocal<TelemetryRecorder?> Current = new();
    private readonly ActivityListener _spans;
    private readonly MeterListener _meters;
    private readonly List<Activity> _stopped = [];
    private readonly List<(string Instrument, long Value, Dictionary<string, object?> Tags)> _measurements = [];

    public TelemetryRecorder()
    {
        Current.Value = this;
        _spans = new ActivityListener
        {
            ShouldListenTo = s => s.Name == VirtualDisk.TelemetryName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { if (Current.Value == this) lock (_stopped) _stopped.Add(a); },
        };
        ActivitySource.AddActivityListener(_spans);
        _meters = new MeterListener
        {
            InstrumentPublished = (i, l) => { if (i.Meter.Name == VirtualDisk.TelemetryName) l.EnableMeasurementEvents(i); },
        };
        _meters.SetMeasurementEventCallback<long>((i, value, tags, _) =>
        {
            if (Current.Value != this) return;
            var t = new Dictionary<string, object?>();
            foreach (var tag in tags) t[tag.Key] = tag.Value;
            lock (_measurements) _measurements.Add((i.Name, value, t));
        });
        _meters.Start();
    }

    /// <summary>Stopped spans named <paramref name="name"/>, in the order they stopped.</summary>
    public List<Activity> Spans(string name)
    {
        lock (_stopped) return _stopped.Where(a => a.OperationName == name).ToList();
    }

    /// <summary>Sum of vhd.metadata.writes with vhd.metadata.kind = <paramref name="kind"/>.</summary>
    public long MetadataWrites(string kind) => Sum("vhd.metadata.writes", "vhd.metadata.kind", kind);

    /// <summary>Sum of vhd.block.allocations.</summary>
    public long BlockAllocations => Sum("vhd.block.allocations", null, null);

    /// <summary>Sum of vhd.io bytes in <paramref name="direction"/> ("read" or "write").</summary>
    public long IoBytes(string direction) => Sum("vhd.io", "disk.io.direction", direction);

    /// <summary>Forgets what was recorded so far.</summary>
    public void Clear()
    {
        lock (_stopped) _stopped.Clear();
        lock (_measurements) _measurements.Clear();
    }

    private long Sum(string instrument, string? tag, string? value)
    {
        lock (_measurements)
            return _measurements.Where(m => m.Instrument == instrument && (tag is null || Equals(m.Tags.GetValueOrDefault(tag), value))).Sum(m => m.Value);
    }

    public void Dispose()
    {
        _spans.Dispose();
        _meters.Dispose();
        Current.Value = null;
    }
}
