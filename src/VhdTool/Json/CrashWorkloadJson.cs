namespace Storage.VhdTool.Json;

/// <summary>One workload's tally in `vhd crashtest --json`.</summary>
internal sealed record CrashWorkloadJson(
    string Name,
    string Description,
    long StatesExplored,
    long CrashPoints,
    long RecoveryStates,
    long IoErrorRuns,
    long IoErrorStates,
    long Failures);
