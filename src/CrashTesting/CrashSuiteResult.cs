namespace Storage.CrashTesting;

/// <summary>What a run of the suite explored and found.</summary>
public sealed record CrashSuiteResult
{
    /// <summary>The seed of the run.</summary>
    public required int Seed { get; init; }

    /// <summary>Crash states verified, all workloads together.</summary>
    public required long StatesExplored { get; init; }

    /// <summary>Wall-clock time of the run.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>Per workload, in suite order.</summary>
    public required IReadOnlyList<WorkloadResult> Workloads { get; init; }

    /// <summary>The failures (the first few hundred), sorted by workload and replay token.</summary>
    public required IReadOnlyList<CrashFailure> Failures { get; init; }

    /// <summary>Every failure found, including those not kept in <see cref="Failures"/>.</summary>
    public required int FailureCount { get; init; }

    /// <summary>True when the time limit (or cancellation) stopped the run.</summary>
    public required bool Stopped { get; init; }

    /// <summary>States per second of wall-clock time.</summary>
    public double StatesPerSecond => Elapsed.TotalSeconds > 0 ? StatesExplored / Elapsed.TotalSeconds : 0;

    /// <summary>True when nothing failed.</summary>
    public bool Passed => FailureCount == 0;
}
