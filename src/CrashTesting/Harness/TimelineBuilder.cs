using System.Globalization;
using Storage.FaultInjection;

namespace Storage.CrashTesting.Harness;

/// <summary>
/// The timeline of a failing state: the workload's calls and the file operations up to the crash, in
/// order; changes still pending at the crash say whether this state kept them (landed, dropped, torn).
/// Long histories keep the last operations before the pending epoch and count the rest.
/// </summary>
internal static class TimelineBuilder
{
    private const int DurableContext = 40;

    public static List<CrashTimelineEntry> Build(IReadOnlyList<FaultOperation> trace, CapturedPoint point, IReadOnlyList<PendingChange> changes, IReadOnlyList<RecordedCall> calls, string directory)
    {
        var pending = changes.Where(c => c.OperationIndex >= 0).GroupBy(c => c.OperationIndex).ToDictionary(g => g.Key, g => g.ToList());
        var entries = new List<(long Op, int Order, CrashTimelineEntry Entry)>();
        foreach (var call in calls.Where(c => !c.DuringSetup))
            entries.Add((call.StartOperation, 0, CallEntry(call, point, directory)));
        foreach (var op in trace.Where(o => o.Index >= 0 && o.Index < point.Operation))
        {
            if (FileEntry(op, pending.GetValueOrDefault(op.Index), directory) is { } entry) entries.Add((op.Index, 1, entry));
        }

        entries.Add((point.Operation, 2, CrashEntry(point, directory)));
        var ordered = entries.OrderBy(e => e.Op).ThenBy(e => e.Order).Select(e => e.Entry).ToList();
        return Elide(ordered, pending.Count > 0 ? pending.Keys.Min() : point.Operation);
    }

    /// <summary>Keeps the durable history just before the first pending change; counts what goes.</summary>
    private static List<CrashTimelineEntry> Elide(List<CrashTimelineEntry> entries, long firstPending)
    {
        int first = entries.FindIndex(e => e.OperationIndex >= firstPending);
        if (first < 0) first = entries.Count;
        int keepFrom = Math.Max(0, first - DurableContext);
        if (keepFrom == 0) return entries;
        var elided = new CrashTimelineEntry(entries[keepFrom].OperationIndex, CrashTimelineKind.Elided,
            string.Create(CultureInfo.InvariantCulture, $"{keepFrom} earlier entries (everything in them durable)"));
        return [elided, .. entries.Skip(keepFrom)];
    }

    private static CrashTimelineEntry CallEntry(RecordedCall call, CapturedPoint point, string directory)
    {
        string status = call.EndSeq < point.Calls.Seq ? (call.Failed ? " (threw)" : string.Empty) : " (still running at the crash)";
        var kind = call.Kind == CallKind.Acknowledge ? CrashTimelineKind.Acknowledgement : CrashTimelineKind.Call;
        return new CrashTimelineEntry(call.StartOperation, kind, call.Describe(directory) + status);
    }

    private static CrashTimelineEntry CrashEntry(CapturedPoint point, string directory) =>
        new(point.Operation, CrashTimelineKind.Crash, point.FlushedPath is null
            ? $"CRASH after the workload returned ({point.Name})"
            : $"CRASH inside the fsync of {(point.IsDirectory ? "directory " : string.Empty)}{Name(point.FlushedPath, directory)} ({point.Name})");

    private static CrashTimelineEntry? FileEntry(FaultOperation op, List<PendingChange>? pending, string directory)
    {
        string name = Name(op.Path, directory);
        (CrashTimelineKind Kind, string Text)? what = op.Kind switch
        {
            FaultOperationKind.Write => (CrashTimelineKind.Write, string.Create(CultureInfo.InvariantCulture, $"file write: {op.Length} bytes at offset {op.Offset} of {name}")),
            FaultOperationKind.SetLength => (CrashTimelineKind.SetLength, string.Create(CultureInfo.InvariantCulture, $"file length of {name} set to {op.Offset}")),
            FaultOperationKind.FlushToDisk => (CrashTimelineKind.FileFsync, $"fsync {name}"),
            FaultOperationKind.FlushDirectory => (CrashTimelineKind.DirectoryFsync, $"fsync directory {name}"),
            FaultOperationKind.Move or FaultOperationKind.Replace => (CrashTimelineKind.Rename, $"rename {name}{Destination(pending, directory)}"),
            FaultOperationKind.Delete => (CrashTimelineKind.Delete, $"delete {name}"),
            FaultOperationKind.Copy => (CrashTimelineKind.Create, $"copy {name}"),
            FaultOperationKind.Open when pending?.Exists(c => c.Kind == PendingChangeKind.Create) == true => (CrashTimelineKind.Create, $"create {name}"),
            _ => null,
        };
        if (what is null) return null;
        string text = op.Faulted ? what.Value.Text + " (failed)" : what.Value.Text;
        if (pending is null) return new CrashTimelineEntry(op.Index, what.Value.Kind, text);
        string pieces = string.Concat(pending.Select(c => c.Pieces));
        return new CrashTimelineEntry(op.Index, what.Value.Kind, text, Outcome(pieces), pieces);
    }

    private static PendingChangeOutcome Outcome(string pieces) =>
        !pieces.Contains('0', StringComparison.Ordinal) ? PendingChangeOutcome.Landed
        : !pieces.Contains('1', StringComparison.Ordinal) ? PendingChangeOutcome.Dropped
        : PendingChangeOutcome.Torn;

    private static string Destination(List<PendingChange>? pending, string directory) =>
        pending?.FirstOrDefault(c => c.Destination is not null)?.Destination is { } to ? " -> " + Name(to, directory) : string.Empty;

    private static string Name(string path, string directory) =>
        path.StartsWith(directory + "/", StringComparison.Ordinal) ? path[(directory.Length + 1)..] : path;
}
