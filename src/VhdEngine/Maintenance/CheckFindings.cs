namespace Storage.VhdEngine.Maintenance;

/// <summary>What a check collects as it goes; <see cref="ToReport"/> freezes it into the <see cref="CheckReport"/> callers get.</summary>
internal sealed class CheckFindings
{
    public List<string> Errors { get; } = [];

    public List<string> Warnings { get; } = [];

    public long LeakedBytes { get; set; }

    public long ReclaimableBytes { get; set; }

    public CheckReport ToReport() => new()
    {
        Errors = Errors.ToArray().AsReadOnly(),
        Warnings = Warnings.ToArray().AsReadOnly(),
        LeakedBytes = LeakedBytes,
        ReclaimableBytes = ReclaimableBytes,
    };
}
