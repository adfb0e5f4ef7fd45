namespace Storage.FaultInjection;

/// <summary>The kinds of counted operations a <see cref="FaultFileSystem"/> records and a <see cref="FaultPlan"/> can fail.</summary>
public enum FaultOperationKind
{
    /// <summary>Opening or creating a file stream.</summary>
    Open,

    /// <summary>A read call on a stream.</summary>
    Read,

    /// <summary>A write call on a stream.</summary>
    Write,

    /// <summary>A length change on a stream.</summary>
    SetLength,

    /// <summary><c>Flush()</c>, <c>Flush(false)</c> or <c>FlushAsync</c>: empties buffers, no durability.</summary>
    Flush,

    /// <summary><c>Flush(true)</c>: the durability point (fsync).</summary>
    FlushToDisk,

    /// <summary>Deleting a file.</summary>
    Delete,

    /// <summary>Renaming a file.</summary>
    Move,

    /// <summary>Copying a file.</summary>
    Copy,

    /// <summary>Replacing a file with another.</summary>
    Replace,

    /// <summary>Deleting a directory.</summary>
    DeleteDirectory,

    /// <summary>Renaming a directory.</summary>
    MoveDirectory,

    /// <summary>Not counted: a crash image was applied (recorded in the trace for orientation only).</summary>
    Crash,

    /// <summary><c>Flush(true)</c> of a directory opened as a stream: the durability point of its entries (creates, renames, deletes).</summary>
    FlushDirectory,
}
