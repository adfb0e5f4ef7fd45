namespace Storage.CrashTesting;

/// <summary>What one step of a random workload does.</summary>
internal enum RandomOperationKind
{
    /// <summary>Write stamped data.</summary>
    Write,

    /// <summary>Flush the disk.</summary>
    Flush,

    /// <summary>Flush, close and reopen the disk.</summary>
    Reopen,

    /// <summary>Close the disk without a flush and reopen it (unflushed writes may be lost, the image must stay sound).</summary>
    ReopenWithoutFlush,
}
