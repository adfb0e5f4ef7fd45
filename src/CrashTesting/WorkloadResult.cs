namespace Storage.CrashTesting;

/// <summary>What the suite did with one workload.</summary>
/// <param name="Name">The workload.</param>
/// <param name="Description">What it exercises.</param>
/// <param name="StatesExplored">Crash states verified (crash points, nested repairs and I/O-error runs together).</param>
/// <param name="CrashPoints">Crash points reached (fsyncs inside the run, and the end).</param>
/// <param name="NestedRepairStates">States verified inside repairs of crashed images.</param>
/// <param name="IoErrorRuns">Runs with an injected I/O error.</param>
/// <param name="IoErrorStates">Crash states verified after those runs.</param>
/// <param name="Failures">Failures found.</param>
public sealed record WorkloadResult(
    string Name,
    string Description,
    long StatesExplored,
    long CrashPoints,
    long NestedRepairStates,
    long IoErrorRuns,
    long IoErrorStates,
    int Failures);
