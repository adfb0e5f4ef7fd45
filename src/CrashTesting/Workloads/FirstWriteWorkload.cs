namespace Storage.CrashTesting.Workloads;

/// <summary>
/// The first write into a new block: the allocation protocol alone (footer to the new end, bitmap
/// over the old footer, data; then fsync, BAT, fsync), small enough for exhaustive enumeration.
/// </summary>
internal sealed class FirstWriteWorkload(bool differencing) : CrashWorkload
{
    public override string Name => differencing ? "first-write-differencing" : "first-write";

    public override string Description => differencing
        ? "first write into a new block of a differencing child: partial sectors merged with the parent's data, bitmap with only those bits"
        : "first write into a new block of a dynamic image";

    public override void Setup(WorkloadContext ctx)
    {
        if (differencing) Images.ParentAndEmptyChild(ctx);
        else Images.EmptyDynamic(ctx);
    }

    public override void Run(WorkloadContext ctx)
    {
        if (differencing)
        {
            var child = ctx.Open(Images.Child);
            ctx.Write(child, 700, 2100);
            ctx.Flush(child);
        }
        else
        {
            var disk = ctx.Open(Images.Disk);
            ctx.Write(disk, Images.Block + 1024, 4096);
            ctx.Flush(disk);
        }
    }
}
