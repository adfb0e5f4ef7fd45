using Storage.VhdEngine.Disks;

namespace Storage.CrashTesting.Workloads;

/// <summary>Creates a fixed image, then aligned and unaligned in-place writes.</summary>
internal sealed class CreateFixedWorkload : CrashWorkload
{
    public override string Name => "create-fixed";

    public override string Description => "create a fixed image, aligned and unaligned writes, flushes between";

    public override bool HasRecovery => true;

    public override void Run(WorkloadContext ctx)
    {
        var disk = ctx.Create(Images.Disk, VhdDiskType.Fixed, 2L * 1024 * 1024);
        ctx.Write(disk, 4096, 4096);
        ctx.Flush(disk);
        ctx.Write(disk, 100, 700);
        ctx.Write(disk, 1024 * 1024, 1024);
        ctx.Flush(disk);
        ctx.Write(disk, 4096 + 512, 512);
    }

    /// <summary>A create the crash lost is simply run again (over the leftover temporary file).</summary>
    public override void Recover(WorkloadContext ctx)
    {
        if (!ctx.FileSystem.File.Exists(WorkloadContext.PathOf(Images.Disk)))
            ctx.Close(ctx.Create(Images.Disk, VhdDiskType.Fixed, 2L * 1024 * 1024));
    }
}
