using Storage.VhdEngine.Disks;

namespace Storage.CrashTesting.Workloads;

/// <summary>Creates a dynamic image (temp file, fsync, rename), then allocates two blocks with flushes between.</summary>
internal sealed class CreateDynamicWorkload : CrashWorkload
{
    public override string Name => "create-dynamic";

    public override string Description => "create a dynamic image, first writes into two blocks, an in-place write left unflushed";

    public override bool HasRecovery => true;

    public override void Run(WorkloadContext ctx)
    {
        var disk = ctx.Create(Images.Disk, VhdDiskType.Dynamic, Images.Size);
        ctx.Write(disk, 4096, 4096);
        ctx.Flush(disk);
        ctx.Write(disk, 2L * Images.Block + 512, 1536);
        ctx.Flush(disk);
        ctx.Write(disk, 16 * 512, 512);
    }

    /// <summary>A create the crash lost is simply run again (over the leftover temporary file).</summary>
    public override void Recover(WorkloadContext ctx)
    {
        if (!ctx.FileSystem.File.Exists(WorkloadContext.PathOf(Images.Disk)))
            ctx.Close(ctx.Create(Images.Disk, VhdDiskType.Dynamic, Images.Size));
    }
}
