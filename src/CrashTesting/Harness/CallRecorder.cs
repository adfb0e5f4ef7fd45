using Storage.FaultInjection;

namespace Storage.CrashTesting.Harness;

/// <summary>
/// The workload's calls in order, thread-safe. Sequence numbers order starts, ends and crash-point
/// captures exactly; the file system's operation count is read outside the recorder's lock (a capture
/// runs inside the file system's lock and then takes this one).
/// </summary>
internal sealed class CallRecorder
{
    private readonly Lock _gate = new();
    private readonly List<RecordedCall> _calls = [];
    private readonly Dictionary<string, int> _handles = new(StringComparer.Ordinal);
    private long _seq;

    /// <summary>The file system the calls' operation counts come from (the set-up's, then the run's).</summary>
    public FaultFileSystem? FileSystem { get; set; }

    public bool InSetup { get; set; }

    public RecordedCall Start(CallKind kind, string path, string? other = null, long offset = 0, byte[]? data = null, bool flag = false)
    {
        long operation = FileSystem?.OperationCount ?? 0;
        lock (_gate)
        {
            if (kind == CallKind.Dispose) flag = Release(path);
            var call = new RecordedCall
            {
                Kind = kind, Path = path, Other = other, Offset = offset, Data = data, Flag = flag,
                DuringSetup = InSetup, StartSeq = ++_seq, StartOperation = operation,
            };
            _calls.Add(call);
            return call;
        }
    }

    public void Complete(RecordedCall call, bool failed)
    {
        lock (_gate)
        {
            call.Failed = failed;
            call.EndSeq = ++_seq;
            if (!failed && call.Kind is CallKind.Create or CallKind.Open)
                _handles[call.Path] = _handles.GetValueOrDefault(call.Path) + 1;
        }
    }

    /// <summary>A call that is over when it is recorded (an acknowledgement, the end of the set-up).</summary>
    public void Instant(CallKind kind, string text)
    {
        var call = Start(kind, text);
        Complete(call, failed: false);
    }

    /// <summary>The set-up is over: everything it did is durable, and the handles it left were closed with its store.</summary>
    public void EndSetup()
    {
        Instant(CallKind.SetupDone, "set-up done");
        lock (_gate)
        {
            _handles.Clear();
            InSetup = false;
        }
    }

    public CallMarker Mark()
    {
        lock (_gate)
        {
            return new CallMarker(++_seq, _calls.Count);
        }
    }

    /// <summary>The calls started before <paramref name="marker"/>.</summary>
    public List<RecordedCall> Before(CallMarker marker)
    {
        lock (_gate)
        {
            return _calls.GetRange(0, marker.Count);
        }
    }

    /// <summary>One handle fewer; true when it was the last (disposing it flushes and closes the image).</summary>
    private bool Release(string path)
    {
        int left = _handles.GetValueOrDefault(path) - 1;
        if (left > 0)
        {
            _handles[path] = left;
            return false;
        }

        _handles.Remove(path);
        return true;
    }
}
