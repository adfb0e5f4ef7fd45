namespace Storage.CrashTesting.Workloads;

/// <summary>
/// VirtualDisk.Discard: on a dynamic image, a range over the end of one block, a whole block and
/// the start of the next (one block freed, two zeroed in place), a write into the freed block
/// (a new slot), a flush, then a compaction; on a differencing child, a range over its parent's
/// data (zeros written), a flush.
/// </summary>
internal sealed class DiscardWorkload(bool differencing) : CrashWorkload
{
    public override string Name => differencing ? "discard-differencing" : "discard";

    public override string Description => differencing
        ? "discard a range of a differencing child over its parent's data, flush"
        : "discard across three blocks of a dynamic image (one freed), write into the freed block, flush, compact";

    public override void Setup(WorkloadContext ctx)
    {
        if (differencing)
        {
            Images.ParentAndEmptyChild(ctx);
            return;
        }
        var disk = ctx.Create(Images.Disk, VhdEngine.Disks.VhdDiskType.Dynamic, Images.Size);
        ctx.Write(disk, 0, 3 * Images.Block);
        ctx.Flush(disk);
        ctx.Close(disk);
    }

    public override void Run(WorkloadContext ctx)
    {
        var disk = ctx.Open(differencing ? Images.Child : Images.Disk);
        ctx.Discard(disk, Images.Block - 4096, Images.Block + 8192);
        if (!differencing) ctx.Write(disk, Images.Block + 1024, 2048);
        ctx.Flush(disk);
        ctx.Close(disk);
        if (!differencing) ctx.Compact(Images.Disk);
    }
}
