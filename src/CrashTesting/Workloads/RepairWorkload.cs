using Storage.FaultInjection;
using Storage.VhdEngine.Disks;

namespace Storage.CrashTesting.Workloads;

/// <summary>
/// VhdMaintenance.Repair of an image a crash left with leaked tail space (an allocation whose BAT entry
/// never landed) or without an end footer (the new footer lost, the old one overwritten by the
/// bitmap). Every crashed state of the repair gets a repair of its own, crashed too.
/// </summary>
internal sealed class RepairWorkload(bool missingFooter) : CrashWorkload
{
    public override string Name => missingFooter ? "repair-missing-footer" : "repair-leaked-tail";

    public override string Description => missingFooter
        ? "repair an image whose end footer is missing (old one overwritten by a bitmap) with leaked tail space"
        : "repair an image with a leaked block at its tail (valid end footer)";

    public override bool RepairEveryState => true;

    public override void Setup(WorkloadContext ctx)
    {
        var disk = ctx.Create(Images.Disk, VhdDiskType.Dynamic, Images.Size);
        ctx.Write(disk, 0, 16 * 1024);
        ctx.Flush(disk);
        // Allocate block 3 and crash before the flush: footer at the new end, bitmap over the old footer, data.
        ctx.Write(disk, 3L * Images.Block, 8192);
        int epoch = ctx.FileSystem.Epoch;
        int operations = ctx.FileSystem.GetDisk(WorkloadContext.PathOf(Images.Disk))!.PendingOperationCount;
        if (operations != 3) throw new InvalidOperationException($"expected the allocation to be 3 pending writes, found {operations}");
        // Pieces: footer write (length, sector), bitmap (sector), data (16 sectors).
        ctx.CrashInto(missingFooter
            ? CrashState.Explicit(epoch, "10" + "1" + new string('0', 16))
            : CrashState.Prefix(epoch, operations));
    }

    public override void Run(WorkloadContext ctx) => ctx.Repair(Images.Disk);
}
