namespace Storage.CrashTesting.Workloads;

/// <summary>Committer.Commit of a child with data into a parent with data, keeping or deleting the child.</summary>
internal sealed class CommitWorkload(bool keepChild) : CrashWorkload
{
    public override string Name => keepChild ? "commit-keep" : "commit-drop";

    public override string Description => "commit a child (overwrites, partial sectors, a new block) into its parent, "
        + (keepChild ? "keeping the child" : "then deleting it");

    public override void Setup(WorkloadContext ctx)
    {
        Images.ParentWithData(ctx);
        var child = ctx.Snapshot(Images.Base, Images.Child);
        ctx.Write(child, 2048, 1024);
        ctx.Write(child, Images.Block + 300, 600);
        ctx.Write(child, 2L * Images.Block, 2048);
        ctx.Flush(child);
        ctx.Close(child);
    }

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
