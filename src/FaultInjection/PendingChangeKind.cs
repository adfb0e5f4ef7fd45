namespace Storage.FaultInjection;

/// <summary>The kinds of <see cref="PendingChange"/>.</summary>
public enum PendingChangeKind
{
    /// <summary>A file was created: its name (in a <see cref="FaultFileSystem"/>: until its directory is fsynced).</summary>
    Create,

    /// <summary>A file was renamed (until the directory is fsynced).</summary>
    Rename,

    /// <summary>A file was deleted (until the directory is fsynced).</summary>
    Delete,

    /// <summary>Bytes were written (until the file is fsynced).</summary>
    Write,

    /// <summary>The length was set (until the file is fsynced).</summary>
    SetLength,
}
