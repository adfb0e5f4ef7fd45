namespace Storage.VhdTool.Json;

/// <summary>`vhd crashtest --json`.</summary>
internal sealed record CrashSuiteJson(
    int Seed,
    long StatesExplored,
    double ElapsedSeconds,
    double StatesPerSecond,
    bool Stopped,
    IReadOnlyList<CrashWorkloadJson> Workloads,
    int FailureCount,
    IReadOnlyList<CrashFailureJson> Failures);
