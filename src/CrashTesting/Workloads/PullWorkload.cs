using Storage.VhdEngine.Disks;

namespace Storage.CrashTesting.Workloads;

/// <summary>
/// Puller.Pull of a child with data over a parent with data: the parent's blocks copied into the
/// child, a flush, the footers switched to dynamic, the header's parent id cleared. Every crashed
/// state that is still a differencing image (or a dynamic one still naming its parent) is pulled again.
/// </summary>
internal sealed class PullWorkload : CrashWorkload
{
    public override string Name => "pull";

    public override string Description => "pull a parent's data into its child, which becomes a dynamic image";

    public override bool HasRecovery => true;

    public override void Setup(WorkloadContext ctx) => Images.ParentAndChildWithData(ctx);

    public override void Run(WorkloadContext ctx) => ctx.Pull(Images.Child);

    /// <summary>"Running it again completes it."</summary>
    public override void Recover(WorkloadContext ctx)
    {
        VhdImageInfo info;
        using (var disk = VirtualDisk.Open(ctx.FileSystem, ctx.Image(Images.Child).Path, FileAccess.Read))
            info = disk.Info;
        if (info.DiskType == VhdDiskType.Differencing || info.ParentUniqueId is { } id && id != Guid.Empty) ctx.Pull(Images.Child);
    }
}
