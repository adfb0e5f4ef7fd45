using System.Globalization;
using Storage.CrashTesting.Workloads;

namespace Storage.CrashTesting;

/// <summary>The default workload suite, and lookup by name (random workloads are named by their seed).</summary>
internal static class WorkloadCatalog
{
    /// <summary>Every default workload, in a stable order.</summary>
    public static IReadOnlyList<CrashWorkload> Default { get; } =
    [
        new CreateDynamicWorkload(),
        new CreateFixedWorkload(),
        new CreateDifferencingWorkload(),
        new FirstWriteWorkload(differencing: false),
        new FirstWriteWorkload(differencing: true),
        new SpanBlocksWorkload(differencing: false),
        new SpanBlocksWorkload(differencing: true),
        new SmallWritesWorkload(differencing: false),
        new SmallWritesWorkload(differencing: true),
        new BitmapOnlyFlushWorkload(),
        new SnapshotWorkload(),
        new CommitWorkload(keepChild: true),
        new CommitWorkload(keepChild: false),
        new ForcedCommitWorkload(keepChild: true),
        new ForcedCommitWorkload(keepChild: false),
        new SnapshotChainWorkload(),
        new RepairWorkload(missingFooter: false),
        new RepairWorkload(missingFooter: true),
        new CompactWorkload(),
        new DiscardWorkload(differencing: false),
        new DiscardWorkload(differencing: true),
        new SetParentWorkload(),
        new PullWorkload(),
        new ResizeWorkload(ResizeWorkload.Kind.GrowShrink),
        new ResizeWorkload(ResizeWorkload.Kind.GrowMovingTable),
        new ResizeWorkload(ResizeWorkload.Kind.Differencing),
    ];

    /// <summary>The workload called <paramref name="name"/>, or null.</summary>
    public static CrashWorkload? Find(string name, IEnumerable<CrashWorkload>? extra = null)
    {
        var found = Default.Concat(extra ?? []).FirstOrDefault(w => w.Name == name);
        if (found is not null) return found;
        if (name.StartsWith(RandomWorkload.Prefix, StringComparison.Ordinal)
            && uint.TryParse(name.AsSpan(RandomWorkload.Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out uint seed))
            return RandomWorkload.FromSeed((int)seed);
        return null;
    }
}
