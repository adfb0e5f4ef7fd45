namespace Storage.FaultInjection;

/// <summary>
/// Raised inside every <c>Flush(true)</c>, before it takes effect: the pending epoch that the
/// flush is about to make durable is still pending, so a handler sees a crash point "during the
/// fsync" and can enumerate and materialize crash states there.
/// </summary>
/// <param name="fileSystem">The file system being flushed.</param>
/// <param name="path">Full path of the file (or directory) being flushed.</param>
/// <param name="flushIndex">0-based count of <c>Flush(true)</c> calls on the file system before this one.</param>
public sealed class FlushToDiskEventArgs(FaultFileSystem fileSystem, string path, long flushIndex) : EventArgs
{
    /// <summary>The file system being flushed; its crash APIs may be used from the handler.</summary>
    public FaultFileSystem FileSystem { get; } = fileSystem;

    /// <summary>Full path of the file being flushed.</summary>
    public string Path { get; } = path;

    /// <summary>0-based count of <c>Flush(true)</c> calls before this one, failed ones included: a stable name for this crash point.</summary>
    public long FlushIndex { get; } = flushIndex;

    /// <summary>True when this is the fsync of a directory (its entries: creates, renames, deletes), false for a file's.</summary>
    public bool IsDirectory { get; init; }

    /// <summary>The epoch crash states taken now carry (durability points passed so far).</summary>
    public int Epoch => FileSystem.Epoch;
}
