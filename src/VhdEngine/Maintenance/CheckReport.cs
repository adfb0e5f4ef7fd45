namespace Storage.VhdEngine.Maintenance;

/// <summary>What <see cref="Checker.Check"/> found: corruption (errors) apart from harmless findings (warnings).</summary>
public sealed record CheckReport
{
    /// <summary>Corruption: the image cannot be trusted.</summary>
    public List<string> Errors { get; } = [];

    /// <summary>Harmless findings: leaked space, a stale or missing end footer, a missing feature bit.</summary>
    public List<string> Warnings { get; } = [];

    /// <summary>Bytes of the file that nothing references and repair can reclaim or compact could.</summary>
    public long LeakedBytes { get; set; }

    /// <summary>Bytes repair can give back by truncating the file's tail.</summary>
    public long ReclaimableBytes { get; set; }

    /// <summary>True when there are no errors.</summary>
    public bool IsClean => Errors.Count == 0;
}
