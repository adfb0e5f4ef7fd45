namespace Storage.CrashTesting.Workloads;

/// <summary>VhdMaintenance.Commit of a child with data into a parent with data, keeping or deleting the child.</summary>
internal sealed class CommitWorkload(bool keepChild) : CrashWorkload
{
    public override string Name => keepChild ? "commit-keep" : "commit-drop";

    public override string Description => "commit a child (overwrites, partial sectors, a new block) into its parent, "
        + (keepChild ? "keeping the child" : "then deleting it");

    public override void Setup(WorkloadContext ctx) => Images.ParentAndChildWithData(ctx);

    public override bool HasRecovery => true;

    public override void Run(WorkloadContext ctx) => ctx.Commit(Images.Child, keepChild);

    /// <summary>"An interrupted commit can simply run again": commit once more if the child is still there.</summary>
    public override void Recover(WorkloadContext ctx)
    {
        var child = ctx.Image(Images.Child);
        if (ctx.FileSystem.File.Exists(child.Path))
        {
            child.Existence = ImageExistence.Present;
            ctx.Commit(Images.Child, keepChild);
        }
    }
}
