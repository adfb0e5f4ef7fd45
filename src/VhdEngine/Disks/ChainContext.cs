namespace Storage.VhdEngine.Disks;

/// <summary>The paths of a chain being opened, leaf first: for cycle and depth checks.</summary>
internal sealed class ChainContext
{
    public List<string> Paths { get; } = [];

    /// <summary>An open disk to use as the parent at its path instead of opening it (commit reads its child over the parent it writes).</summary>
    public VirtualDisk? ProvidedParent { get; init; }
}
