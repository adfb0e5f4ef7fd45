namespace Storage.CrashTesting.Workloads;

/// <summary>A write spanning two new blocks (two allocations in one epoch), then an unaligned overwrite across the boundary.</summary>
internal sealed class SpanBlocksWorkload(bool differencing) : CrashWorkload
{
    public override string Name => differencing ? "span-blocks-differencing" : "span-blocks";

    public override string Description => "a write spanning two blocks (two allocations), then an unaligned overwrite across the boundary"
        + (differencing ? ", in a child over parent data at the boundary" : string.Empty);

    public override void Setup(WorkloadContext ctx)
    {
        if (differencing) Images.ParentAndEmptyChild(ctx);
        else Images.EmptyDynamic(ctx);
    }

    public override void Run(WorkloadContext ctx)
    {
        var disk = ctx.Open(differencing ? Images.Child : Images.Disk);
        ctx.Write(disk, Images.Block - 4096, 8192);
        ctx.Flush(disk);
        ctx.Write(disk, Images.Block - 1000, 2500);
        ctx.Flush(disk);
        ctx.Write(disk, 2L * Images.Block - 512, 1024);
    }
}
