using System.Diagnostics;
using Storage.VhdEngine;

namespace Storage.VhdActors;

/// <summary>
/// One image operation's telemetry and error mapping, the same wherever it runs (the image actor,
/// a handle's inline I/O, a maintenance worker, the facade's own side of a message): a "vhd.*" span
/// (DESIGN.md §8), the vhd.io.duration metric for reads, writes and flushes, and the exception the
/// caller gets (<see cref="VhdErrors.ForCaller"/>), recorded on the span.
/// </summary>
internal readonly struct Operation
{
    private static readonly KeyValuePair<string, object?>[] Timed =
    [
        new("vhd.operation", "read"), new("vhd.operation", "write"), new("vhd.operation", "flush"),
    ];

    private readonly Activity? _activity;
    private readonly long _start;
    private readonly int _timed;

    private Operation(Activity? activity, int timed)
    {
        _activity = activity;
        _timed = timed;
        _start = timed >= 0 ? Stopwatch.GetTimestamp() : 0;
    }

    /// <summary>The span, for tags.</summary>
    public Activity? Activity => _activity;

    /// <summary>The trace context to send with a message, so the receiver's span is a child of this one.</summary>
    public ActivityContext Context => _activity?.Context ?? System.Diagnostics.Activity.Current?.Context ?? default;

    /// <summary>
    /// Starts an operation named <paramref name="span"/> ("vhd.read", ...) on the image at
    /// <paramref name="path"/>; <paramref name="parent"/> is the caller's context when it came in a message.
    /// </summary>
    public static Operation Start(string span, string path, ActivityKind kind = ActivityKind.Internal, ActivityContext parent = default)
    {
        var activity = VhdTelemetry.ActivitySource.HasListeners() ? VhdTelemetry.ActivitySource.StartActivity(span, kind, parent) : null;
        activity?.SetTag("vhd.image", path);
        return new Operation(activity, TimedIndex(span));
    }

    /// <summary>
    /// A read, write or allocation query: traced only when the store's filter
    /// (<see cref="VhdStorageOptions.TraceRequests"/>) lets it; always timed.
    /// </summary>
    public static Operation Request(string span, string path, long offset, long length, VhdStorageOptions options, ActivityKind kind = ActivityKind.Internal, ActivityContext parent = default)
    {
        Activity? activity = null;
        if (VhdTelemetry.ActivitySource.HasListeners() && (options.TraceRequests is not { } filter || filter(new DiskRequest(span, path, offset, length))))
        {
            activity = VhdTelemetry.ActivitySource.StartActivity(span, kind, parent);
            activity?.SetTag("vhd.image", path).SetTag("vhd.offset", offset).SetTag("vhd.length", length);
        }
        return new Operation(activity, TimedIndex(span));
    }

    /// <summary>Ends the operation as a success.</summary>
    public void Complete()
    {
        if (_timed >= 0 && VhdTelemetry.IoDuration.Enabled)
            VhdTelemetry.IoDuration.Record(Stopwatch.GetElapsedTime(_start).TotalSeconds, Timed[_timed]);
        _activity?.Dispose();
    }

    /// <summary>Ends the operation as a failure: returns the exception the caller gets, recorded on the span.</summary>
    public Exception Fail(Exception e, string path)
    {
        var error = VhdErrors.ForCaller(e, path);
        if (_activity is { } a)
        {
            a.SetStatus(ActivityStatusCode.Error, error.Message);
            a.AddException(error);
            a.Dispose();
        }
        return error;
    }

    private static int TimedIndex(string span) => span switch
    {
        "vhd.read" => 0,
        "vhd.write" => 1,
        "vhd.flush" => 2,
        _ => -1,
    };
}
