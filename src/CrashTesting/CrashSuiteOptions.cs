namespace Storage.CrashTesting;

/// <summary>How to run the crash-consistency suite. The defaults are the deterministic default run.</summary>
public sealed record CrashSuiteOptions
{
    /// <summary>Seed of sampled crash states (and of random workloads in a timed run).</summary>
    public int Seed { get; init; }

    /// <summary>
    /// Null: run the default suite to the end. Otherwise a time budget: the suite stops when it is
    /// spent, and if the suite finishes earlier, random workloads (seeded from <see cref="Seed"/>)
    /// fill the rest of it.
    /// </summary>
    public TimeSpan? TimeLimit { get; init; }

    /// <summary>Names of the workloads to run; null for all of <see cref="CrashSuite.WorkloadNames"/>.</summary>
    public IReadOnlyList<string>? Workloads { get; init; }

    /// <summary>Explore crash states at every fsync and at the end (default true).</summary>
    public bool CrashStates { get; init; } = true;

    /// <summary>Sweep I/O errors over every operation of each workload (default true).</summary>
    public bool IoErrors { get; init; } = true;

    /// <summary>Threads to use (default: one per processor).</summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Sampled states added at crash points too large for exhaustive enumeration (default 8).</summary>
    public int SampledStatesPerCrashPoint { get; init; } = 8;

    /// <summary>When positive, every crash point gets only this many sampled states instead of its enumeration.</summary>
    public int SampledStatesOnly { get; init; }

    /// <summary>Every n-th crashed state is also repaired with crash points of its own (default 16; the repair workloads do it for every state).</summary>
    public int NestedRepairEvery { get; init; } = 16;

    /// <summary>Every n-th crashed state of a workload with a recovery step (a commit run again) is also recovered and verified (default 4).</summary>
    public int RecoverEvery { get; init; } = 4;

    /// <summary>Stop at the first failure (for tests that only need to know a bug is caught).</summary>
    public bool StopAtFirstFailure { get; init; }

    /// <summary>Cancels the run (what was explored so far is reported).</summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>Told the fraction of the suite's exploration done (0 to 1) as each piece of it finishes; null for none.</summary>
    public IProgress<double>? Progress { get; init; }

    /// <summary>Workloads to run besides the named ones (tests: sample images, generated workloads).</summary>
    internal IReadOnlyList<CrashWorkload>? ExtraWorkloads { get; init; }
}
