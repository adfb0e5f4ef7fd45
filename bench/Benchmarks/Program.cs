using BenchmarkDotNet.Running;

namespace Storage.Benchmarks;

/// <summary>
/// `overhead [REQUESTS] [--json]`: the facade's overhead per 4 KiB request (Stopwatch loops, median
/// and p99). `service tasks|images ...` and `memory open|diff ...`: the issue 16 service and
/// memory rows (ServiceLoad, MemoryLoad). `stream [WRITERS] [MIB] [ROUNDS]`: sync against async
/// VirtualDiskStream writers (<see cref="StreamWriters"/>). `crashtest [ROUNDS]`: states per second of the crash-testing API. Anything else goes
/// to BenchmarkDotNet's switcher, e.g. `--filter *Engine*` or `--job short --filter *Facade*`.
/// </summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "overhead")
            return FacadeOverhead.Run(args[1..]);
        if (args.Length > 1 && args[0] == "service")
            return ServiceLoad.Run(args[1..]);
        if (args.Length > 1 && args[0] == "memory")
            return MemoryLoad.Run(args[1..]);
        if (args.Length > 0 && args[0] == "stream")
            return StreamWriters.Run(args[1..]);
        if (args.Length > 0 && args[0] == "crashtest")
            return CrashTestRate.Run(args[1..]);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
