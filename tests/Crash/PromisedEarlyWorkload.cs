using Storage.CrashTesting;
using Storage.CrashTesting.Workloads;

namespace Storage.Tests.Crash;

/// <summary>
/// A write into a new block promised durable before its flush (an ordering bug planted in the test):
/// the suite's form of the public API's acknowledgement before a flush, the model told too early.
/// </summary>
internal sealed class PromisedEarlyWorkload : CrashWorkload
{
    public override string Name => "promised-early";

    public override string Description => "a write into a new block promised durable before its flush (planted ordering bug)";

    public override void Setup(WorkloadContext ctx) => Images.EmptyDynamic(ctx);

    public override void Run(WorkloadContext ctx)
    {
        var disk = ctx.Open(Images.Disk);
        ctx.Write(disk, Images.Block + 1024, 4096);
        ctx.Image(Images.Disk).Model!.MarkDurable();
        ctx.Write(disk, 3L * Images.Block, 2048);
        ctx.Flush(disk);
    }
}
