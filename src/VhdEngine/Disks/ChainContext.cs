namespace Storage.VhdEngine.Disks;

/// <summary>The paths of a chain being opened, leaf first: for cycle and depth checks.</summary>
internal sealed class ChainContext
{
    public List<string> Paths { get; } = [];
}
