using System.Diagnostics;

namespace Storage.CrashTesting;

/// <summary>How one exploration runs (internal form of <see cref="CrashSuiteOptions"/>).</summary>
internal sealed record RunSettings
{
    public int Seed { get; init; }

    /// <summary><see cref="Stopwatch"/> timestamp after which exploration stops; long.MaxValue for none.</summary>
    public long Deadline { get; init; } = long.MaxValue;

    /// <summary>Extra sampled states at crash points too large for exhaustive enumeration (ALICE-style ones).</summary>
    public int SampledStates { get; init; } = 8;

    /// <summary>When positive, crash points get only this many sampled states (no enumeration).</summary>
    public int SampledOnly { get; init; }

    /// <summary>Every n-th state also runs a repair with its own crash points (0: never; workloads may ask for every state).</summary>
    public int NestedRepairEvery { get; init; } = 16;

    /// <summary>Every n-th state of a workload with a recovery step is also recovered and verified (0: never).</summary>
    public int RecoverEvery { get; init; } = 4;

    public VerifyLevel Level { get; init; } = VerifyLevel.Full;

    public bool StopAtFirstFailure { get; init; }

    public CancellationToken Cancellation { get; init; }

    public bool Expired => Cancellation.IsCancellationRequested || Stopwatch.GetTimestamp() > Deadline;
}
