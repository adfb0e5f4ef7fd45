namespace Storage.VhdEngine.Maintenance;

/// <summary>How <see cref="VhdMaintenance.Commit"/> merges a child into its parent.</summary>
public sealed record CommitOptions
{
    /// <summary>Keep the child file afterwards (it still holds its sectors) instead of deleting it.</summary>
    public bool KeepChild { get; init; }

    /// <summary>
    /// Commit even though the parent has other children (DESIGN.md §10). The parent then gets a new
    /// unique id, so every other child refuses to open (the parent-id check every VHD reader makes)
    /// instead of reading changed data; a kept child is re-pointed at the new id. Without it, a
    /// commit into a parent with other children is refused, naming them, and nothing is written.
    /// </summary>
    public bool Force { get; init; }
}
