using Storage.CrashTesting;
using Storage.CrashTesting.Workloads;

namespace Storage.Tests.Crash;

/// <summary>A workload that breaks after its first flush: a replay of a state before that must still report it.</summary>
internal sealed class ThrowingWorkload : CrashWorkload
{
    public const string Message = "the workload broke after its flush";

    public override string Name => "test-throwing";

    public override string Description => "a write and a flush, then an exception";

    public override void Setup(WorkloadContext ctx) => Images.EmptyDynamic(ctx);

    public override void Run(WorkloadContext ctx)
    {
        var disk = ctx.Open(Images.Disk);
        ctx.Write(disk, 0, 4096);
        ctx.Flush(disk);
        throw new InvalidOperationException(Message);
    }
}
