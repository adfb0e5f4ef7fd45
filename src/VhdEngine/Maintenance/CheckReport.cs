namespace Storage.VhdEngine.Maintenance;

/// <summary>
/// What <see cref="VhdMaintenance.Check"/> (or <see cref="VhdMaintenance.Repair"/>) found: corruption
/// (errors) apart from harmless findings (warnings). Immutable.
/// </summary>
public sealed record CheckReport
{
    /// <summary>Corruption: the image cannot be trusted. Each names the image it is about.</summary>
    public IReadOnlyList<string> Errors { get; init; } = [];

    /// <summary>Harmless findings: leaked space, a stale or missing end footer, a missing feature bit.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Bytes of the file that nothing references and repair can reclaim or compact could.</summary>
    public long LeakedBytes { get; init; }

    /// <summary>Bytes repair can give back by truncating the file's tail.</summary>
    public long ReclaimableBytes { get; init; }

    /// <summary>True when there are no errors.</summary>
    public bool IsClean => Errors.Count == 0;
}
