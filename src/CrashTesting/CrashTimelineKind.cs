namespace Storage.CrashTesting;

/// <summary>The kinds of <see cref="CrashTimelineEntry"/>.</summary>
public enum CrashTimelineKind
{
    /// <summary>A call of the workload on the store or a disk (create, open, write, flush, snapshot, commit, dispose).</summary>
    Call,

    /// <summary>The workload acknowledged something as durable (<see cref="CrashTestContext.Acknowledge"/>).</summary>
    Acknowledgement,

    /// <summary>Bytes written to a file.</summary>
    Write,

    /// <summary>A file's length set.</summary>
    SetLength,

    /// <summary>A file's fsync: its contents durable.</summary>
    FileFsync,

    /// <summary>A directory's fsync: its creates, renames and deletes durable.</summary>
    DirectoryFsync,

    /// <summary>A file created.</summary>
    Create,

    /// <summary>A file renamed.</summary>
    Rename,

    /// <summary>A file deleted.</summary>
    Delete,

    /// <summary>Where the crash happened.</summary>
    Crash,

    /// <summary>Earlier operations left out of the timeline (all durable).</summary>
    Elided,
}
