using System.Globalization;

namespace Storage.CrashTesting.Harness;

/// <summary>
/// One call of the workload, with the recorder's sequence numbers of its start and end (what happened
/// before a crash point is decided by them) and the file system's operation count then (for the timeline).
/// </summary>
internal sealed class RecordedCall
{
    public required CallKind Kind { get; init; }

    /// <summary>The image (full path); for a snapshot the parent, for a commit the child; the text of an acknowledgement.</summary>
    public required string Path { get; init; }

    /// <summary>The snapshot's child.</summary>
    public string? Other { get; init; }

    public long Offset { get; init; }

    /// <summary>A copy of the bytes written.</summary>
    public byte[]? Data { get; init; }

    /// <summary>Commit: the child is kept. Dispose: this was the last handle, so it flushed and closed the image.</summary>
    public bool Flag { get; init; }

    public bool DuringSetup { get; init; }

    public long StartSeq { get; init; }

    public long StartOperation { get; init; }

    /// <summary>Set when the call returned (or threw); long.MaxValue until then.</summary>
    public long EndSeq { get; set; } = long.MaxValue;

    public bool Failed { get; set; }

    public bool CompletedBefore(long seq) => EndSeq < seq && !Failed;

    public string Describe(string directory)
    {
        string name = Relative(Path, directory);
        return Kind switch
        {
            CallKind.Write => string.Create(CultureInfo.InvariantCulture, $"WriteAsync {name} at {Offset} ({Data!.Length} bytes)"),
            CallKind.Flush => $"FlushAsync {name}",
            CallKind.Dispose => Flag ? $"DisposeAsync {name} (last handle: flush and close)" : $"DisposeAsync {name}",
            CallKind.Snapshot => $"SnapshotAsync {name} -> {Relative(Other!, directory)}",
            CallKind.Commit => $"CommitAsync {name}{(Flag ? " (keep child)" : string.Empty)}",
            CallKind.Acknowledge => $"acknowledged: {Path}",
            _ => $"{Kind}Async {name}",
        };
    }

    private static string Relative(string path, string directory) =>
        path.StartsWith(directory + "/", StringComparison.Ordinal) ? path[(directory.Length + 1)..] : path;
}
