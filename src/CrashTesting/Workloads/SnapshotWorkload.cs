namespace Storage.CrashTesting.Workloads;

/// <summary>VhdMaintenance.Snapshot of an image with data, then writes into the new child.</summary>
internal sealed class SnapshotWorkload : CrashWorkload
{
    public override string Name => "snapshot";

    public override string Description => "snapshot an image with data, then writes to the child (one left unflushed)";

    public override bool HasRecovery => true;

    public override void Setup(WorkloadContext ctx) => Images.ParentWithData(ctx);

    public override void Run(WorkloadContext ctx)
    {
        var child = ctx.Snapshot(Images.Base, Images.Child);
        ctx.Write(child, 4096, 2048);
        ctx.Write(child, 2L * Images.Block + 100, 300);
        ctx.Flush(child);
        ctx.Write(child, 0, 512);
    }

    /// <summary>A child the crash lost is simply created again (over the leftover temporary file).</summary>
    public override void Recover(WorkloadContext ctx)
    {
        if (!ctx.FileSystem.File.Exists(WorkloadContext.PathOf(Images.Child)))
            ctx.Close(ctx.Snapshot(Images.Base, Images.Child));
    }
}
