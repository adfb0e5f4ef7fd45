namespace Storage.VhdEngine.Maintenance;

/// <summary>How <see cref="Compactor"/> compacts an image.</summary>
internal sealed record CompactOptions
{
    /// <summary>
    /// Compact even though other images in its folder are its children (DESIGN.md §10). The image then
    /// gets a new unique id first, so they refuse to open instead of reading a rewritten parent.
    /// Without it, compacting a parent is refused, naming its children, and nothing is written.
    /// </summary>
    public bool Force { get; init; }
}
