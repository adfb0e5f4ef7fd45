using System.Globalization;

namespace Storage.CrashTesting.Workloads;

/// <summary>Stands for the random workloads of a timed run in the per-workload results.</summary>
internal sealed class SoakSummary(long runs) : CrashWorkload
{
    public override string Name => "random";

    public override string Description => string.Create(CultureInfo.InvariantCulture, $"{runs} random workloads (writes, flushes, reopens) filling the time budget");

    public override void Run(WorkloadContext ctx)
    {
    }
}
