using System.Collections.Concurrent;
using Storage.CrashTesting;

namespace Storage.Tests.Crash;

/// <summary>
/// The suite's run of one workload (crash states, no I/O errors), made once per test process and
/// shared: the per-workload exploration tests and the public API's verdict tests judge the same run.
/// </summary>
internal static class SuiteRuns
{
    private static readonly ConcurrentDictionary<string, Lazy<CrashSuiteResult>> Runs = new(StringComparer.Ordinal);

    public static CrashSuiteResult For(string workload) =>
        Runs.GetOrAdd(workload, name => new Lazy<CrashSuiteResult>(() => CrashSuite.Run(new CrashSuiteOptions
        {
            Workloads = [name],
            IoErrors = false,
            SampledStatesPerCrashPoint = Soak.Pick(8, 256),
            NestedRepairEvery = Soak.Pick(16, 1),
            RecoverEvery = Soak.Pick(4, 1),
        }))).Value;
}
