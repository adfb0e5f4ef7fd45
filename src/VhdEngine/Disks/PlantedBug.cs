namespace Storage.VhdEngine.Disks;

/// <summary>
/// Deliberate protocol violations the crash suite plants to prove it catches them.
/// Internal: never reachable through the public API.
/// </summary>
[Flags]
internal enum PlantedBug
{
    None = 0,
    /// <summary>Flush writes the BAT without the fsync that makes the data durable first.</summary>
    SkipFsyncBeforeBat = 1,
    /// <summary>Allocation writes the BAT sector immediately, before the block's data.</summary>
    BatBeforeData = 2,
    /// <summary>New blocks start at the end of the BAT instead of at the end footer.</summary>
    AllocateAtEndOfBat = 4,
}
