namespace Storage.VhdEngine.Disks;

/// <summary>How an open image is locked (DESIGN.md §10, the rules of qemu's image locking).</summary>
internal enum ImageLockMode
{
    /// <summary>A reader, or a parent of an open chain: shares with readers, refuses writers and is refused by them.</summary>
    Shared,

    /// <summary>The one writer: refuses every other writer and every <see cref="Shared"/> reader.</summary>
    Exclusive,

    /// <summary>A reader that asked to share (<see cref="VhdOpenOptions.ForceShare"/>): refuses nobody and is refused by nobody.</summary>
    ForceShare,
}
