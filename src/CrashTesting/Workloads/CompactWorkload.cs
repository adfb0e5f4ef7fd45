namespace Storage.CrashTesting.Workloads;

/// <summary>
/// Compactor.Compact of a dynamic image with two zeroed blocks among six with data: the zeroed
/// ones freed, the two highest moved down into their slots, the file cut. Every crashed state is
/// compacted again (the rerun must complete it).
/// </summary>
internal sealed class CompactWorkload : CrashWorkload
{
    public override string Name => "compact";

    public override string Description => "compact a dynamic image: free two zeroed blocks, move two blocks down, cut the file";

    public override bool HasRecovery => true;

    public override void Setup(WorkloadContext ctx)
    {
        var disk = ctx.Create(Images.Disk, VhdEngine.Disks.VhdDiskType.Dynamic, Images.Size);
        for (int b = 0; b < 6; b++) ctx.Write(disk, (long)b * Images.Block + 1024, 8192);
        ctx.WriteZeros(disk, 1L * Images.Block, Images.Block);
        ctx.WriteZeros(disk, 3L * Images.Block, Images.Block);
        ctx.Flush(disk);
        ctx.Close(disk);
    }

    public override void Run(WorkloadContext ctx) => ctx.Compact(Images.Disk);

    /// <summary>"Running it again completes it."</summary>
    public override void Recover(WorkloadContext ctx) => ctx.Compact(Images.Disk);
}
