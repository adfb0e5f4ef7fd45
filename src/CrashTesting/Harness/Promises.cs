namespace Storage.CrashTesting.Harness;

/// <summary>
/// What the store had promised the workload at a crash point, from the recorded calls: which images
/// must exist (or be gone), and for each image the writes that reach it (its own, a snapshot's
/// inheritance, a commit's merge) with whether each was durable. A write is durable once it returned
/// and a flush of its image (FlushAsync, disposing the last handle, a snapshot of it, a commit of it,
/// the end of the set-up) started after it and returned before the crash point.
/// </summary>
internal sealed class Promises
{
    private readonly Dictionary<string, long> _lastFlushStart = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _parents = new(StringComparer.Ordinal);
    private readonly long _seq;

    private Promises(long seq) => _seq = seq;

    public List<string> Acknowledged { get; } = [];

    public List<DiskWrite> Writes { get; } = [];

    public Dictionary<string, Existence> Images { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, List<PromisedWrite>> Content { get; } = new(StringComparer.Ordinal);

    public static Promises Build(IReadOnlyList<RecordedCall> calls, long seq)
    {
        var promises = new Promises(seq);
        promises.FindFlushes(calls);
        foreach (var call in calls.OrderBy(c => c.StartSeq)) promises.Apply(call);
        return promises;
    }

    private void FindFlushes(IReadOnlyList<RecordedCall> calls)
    {
        long setup = 0;
        foreach (var call in calls.Where(c => c.CompletedBefore(_seq)))
        {
            string? flushed = call.Kind switch
            {
                CallKind.Flush or CallKind.Snapshot or CallKind.Commit => call.Path,
                CallKind.Dispose when call.Flag => call.Path,
                _ => null,
            };
            if (call.Kind == CallKind.SetupDone) setup = Math.Max(setup, call.StartSeq);
            if (flushed is not null) _lastFlushStart[flushed] = Math.Max(_lastFlushStart.GetValueOrDefault(flushed), call.StartSeq);
            if (call.Kind == CallKind.Snapshot) _parents[call.Other!] = call.Path;
        }

        foreach (string path in calls.Select(c => c.Path).Distinct().ToList())
            _lastFlushStart[path] = Math.Max(_lastFlushStart.GetValueOrDefault(path), setup);
    }

    private void Apply(RecordedCall call)
    {
        bool done = call.CompletedBefore(_seq);
        switch (call.Kind)
        {
            case CallKind.Acknowledge when done:
                Acknowledged.Add(call.Path);
                break;
            case CallKind.Create:
                Images[call.Path] = done ? Existence.Must : Images.GetValueOrDefault(call.Path, Existence.May);
                break;
            case CallKind.Write:
                AddWrite(call, done && _lastFlushStart.GetValueOrDefault(call.Path) > call.EndSeq);
                break;
            case CallKind.Snapshot:
                Snapshot(call, done);
                break;
            case CallKind.Commit:
                Commit(call, done);
                break;
        }
    }

    private void AddWrite(RecordedCall call, bool durable)
    {
        Writes.Add(new DiskWrite(call.Path, call.Offset, call.Data, durable));
        ContentOf(call.Path).Add(new PromisedWrite(call.Offset, call.Data!, durable, call.EndSeq));
    }

    /// <summary>The child reads what the parent held when the snapshot began (flushed by it).</summary>
    private void Snapshot(RecordedCall call, bool done)
    {
        string child = call.Other!;
        Images[child] = done ? Existence.Must : Existence.May;
        var inherited = ContentOf(call.Path).Where(w => w.EndSeq < call.StartSeq).Select(w => w with { Durable = true });
        Content[child] = [.. inherited];
    }

    /// <summary>The parent gets what the child held when the commit began: durable once the commit returned, possible before.</summary>
    private void Commit(RecordedCall call, bool done)
    {
        if (!call.Flag) Images[call.Path] = done ? Existence.MustNot : Existence.May;
        if (!_parents.TryGetValue(call.Path, out string? parent)) return;
        var merged = ContentOf(call.Path).Where(w => w.EndSeq < call.StartSeq).Select(w => w with { Durable = done, EndSeq = call.EndSeq });
        ContentOf(parent).AddRange([.. merged]);
    }

    private List<PromisedWrite> ContentOf(string path)
    {
        if (!Content.TryGetValue(path, out var list)) Content[path] = list = [];
        return list;
    }
}
