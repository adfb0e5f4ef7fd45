namespace Storage.VhdEngine.Disks;

/// <summary>What open found at the end of the file.</summary>
internal enum EndFooterState
{
    /// <summary>A valid footer agreeing with the copy (if any).</summary>
    Valid,
    /// <summary>No valid footer at the end: the copy at offset 0 was used.</summary>
    Missing,
    /// <summary>A valid end footer that differs from the copy at offset 0: the copy was used.</summary>
    Stale,
}
