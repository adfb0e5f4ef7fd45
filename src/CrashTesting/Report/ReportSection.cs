namespace Storage.CrashTesting.Report;

/// <summary>One workload's part of an HTML report: what was explored and the failures shown in detail.</summary>
internal sealed record ReportSection
{
    public required string Name { get; init; }

    public string Description { get; init; } = string.Empty;

    public required long StatesExplored { get; init; }

    public required long CrashPoints { get; init; }

    public long StatesSkipped { get; init; }

    public required int FailureCount { get; init; }

    public TimeSpan? Elapsed { get; init; }

    public IReadOnlyList<CrashTestFailure> Failures { get; init; } = [];

    public static ReportSection From(CrashTestResult result) => new()
    {
        Name = result.Name,
        Description = result.Stopped ? "stopped early (budget, time limit or first failure)" : string.Empty,
        StatesExplored = result.StatesExplored,
        CrashPoints = result.CrashPoints,
        StatesSkipped = result.StatesSkipped,
        FailureCount = result.FailureCount,
        Elapsed = result.Elapsed,
        Failures = result.Failures,
    };
}
