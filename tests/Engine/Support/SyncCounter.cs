using Storage.FaultInjection;

namespace Storage.Tests.Engine.Support;

/// <summary>Counts the fsyncs (<c>Flush(true)</c>) an action makes on a fault file system.</summary>
internal static class SyncCounter
{
    public static long Syncs(this FaultFileSystem fs, Action action)
    {
        long before = fs.FlushToDiskCount;
        action();
        return fs.FlushToDiskCount - before;
    }
}
