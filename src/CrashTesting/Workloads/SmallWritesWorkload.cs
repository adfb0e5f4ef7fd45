namespace Storage.CrashTesting.Workloads;

/// <summary>
/// Many small writes (one or two sectors, some unaligned) over existing and new blocks, with a
/// flush after every few: in-place overwrites, allocations, and (differencing) bitmap updates of
/// blocks allocated earlier, which reach the file between the two fsyncs of a flush.
/// </summary>
internal sealed class SmallWritesWorkload(bool differencing) : CrashWorkload
{
    private static readonly (long Offset, int Length)[] Writes =
    [
        (512, 512), (Images.Block * 2L + 1024, 512), (100, 300),
        (40 * 1024, 1024), (Images.Block * 2L + 1024, 512), (Images.Block * 5L + 4096, 512),
        (Images.Block * 5L + 8192, 700), (0, 512), (Images.Block * 2L - 512, 1024),
        (Images.Block * 3L + 1500, 100), (64 * 1024, 512), (Images.Block * 5L + 4096, 1024),
    ];

    public override string Name => differencing ? "small-writes-differencing" : "small-writes";

    public override string Description => "twelve small writes over existing and new blocks, a flush after every three"
        + (differencing ? ", in a differencing child (bitmap updates at flush)" : string.Empty);

    public override void Setup(WorkloadContext ctx)
    {
        if (differencing)
        {
            Images.ParentAndEmptyChild(ctx);
            var child = ctx.Open(Images.Child);
            ctx.Write(child, 16 * 1024, 8192);
            ctx.Flush(child);
            ctx.Close(child);
        }
        else
        {
            Images.EmptyDynamic(ctx);
            var disk = ctx.Open(Images.Disk);
            ctx.Write(disk, 0, 64 * 1024);
            ctx.Flush(disk);
            ctx.Close(disk);
        }
    }

    public override void Run(WorkloadContext ctx)
    {
        var disk = ctx.Open(differencing ? Images.Child : Images.Disk);
        for (int i = 0; i < Writes.Length; i++)
        {
            ctx.Write(disk, Writes[i].Offset, Writes[i].Length);
            if (i % 3 == 2) ctx.Flush(disk);
        }
    }
}
