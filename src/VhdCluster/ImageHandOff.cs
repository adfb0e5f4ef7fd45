namespace Storage.VhdCluster;

/// <summary>
/// The sharding hand-off message (DESIGN.md §7, §12): the entity flushes and closes its image and
/// stops, so the shard can move to another node without two writers on one file. Also what an idle
/// entity passivates with.
/// </summary>
internal sealed record ImageHandOff
{
    /// <summary>The one instance.</summary>
    public static readonly ImageHandOff Instance = new();

    private ImageHandOff() { }
}
