namespace Storage.CrashTesting.Workloads;

/// <summary>Creates a differencing child over a parent with data, then partial-sector and new-block writes into it.</summary>
internal sealed class CreateDifferencingWorkload : CrashWorkload
{
    public override string Name => "create-differencing";

    public override string Description => "create a differencing child over a parent with data, write over the parent's data and into a new block";

    public override bool HasRecovery => true;

    public override void Setup(WorkloadContext ctx) => Images.ParentWithData(ctx);

    public override void Run(WorkloadContext ctx)
    {
        var child = ctx.CreateDifferencing(Images.Child, Images.Base);
        ctx.Write(child, 1000, 2000);
        ctx.Flush(child);
        ctx.Write(child, 2L * Images.Block + 512, 1024);
        ctx.Flush(child);
    }

    /// <summary>A child the crash lost is simply created again (over the leftover temporary file).</summary>
    public override void Recover(WorkloadContext ctx)
    {
        if (!ctx.FileSystem.File.Exists(WorkloadContext.PathOf(Images.Child)))
            ctx.Close(ctx.CreateDifferencing(Images.Child, Images.Base));
    }
}
