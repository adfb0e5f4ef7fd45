namespace Storage.CrashTesting.Harness;

/// <summary>The workload's calls the harness records.</summary>
internal enum CallKind
{
    Create,
    Open,
    Write,
    Flush,
    Dispose,
    Snapshot,
    Commit,
    Acknowledge,

    /// <summary>The end of the set-up: everything so far is durable.</summary>
    SetupDone,
}
