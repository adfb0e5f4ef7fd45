namespace Storage.CrashTesting;

/// <summary>Counts of one exploration (one workload, one shard).</summary>
internal sealed class ExploreTally
{
    public long States { get; set; }

    public long CrashPoints { get; set; }

    public long NestedRepairStates { get; set; }

    public long IoErrorRuns { get; set; }

    public long IoErrorStates { get; set; }

    public bool TimedOut { get; set; }

    public void Add(ExploreTally other)
    {
        States += other.States;
        CrashPoints += other.CrashPoints;
        NestedRepairStates += other.NestedRepairStates;
        IoErrorRuns += other.IoErrorRuns;
        IoErrorStates += other.IoErrorStates;
        TimedOut |= other.TimedOut;
    }
}
