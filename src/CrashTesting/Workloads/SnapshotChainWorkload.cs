namespace Storage.CrashTesting.Workloads;

/// <summary>
/// A chain of two snapshots: base (data) &lt;- first (data) &lt;- second. The run writes into the
/// second, then commits it into the first, a differencing parent: the commit's writes set bitmap
/// bits in an image that has a parent of its own, and merge partial sectors over the base.
/// </summary>
internal sealed class SnapshotChainWorkload : CrashWorkload
{
    private const string First = "first.vhd";
    private const string Second = "second.vhd";

    public override string Name => "snapshot-chain";

    public override string Description => "snapshot a snapshot, write to the grandchild, commit it into its differencing parent";

    public override bool HasRecovery => true;

    public override void Setup(WorkloadContext ctx)
    {
        Images.ParentWithData(ctx);
        var first = ctx.Snapshot(Images.Base, First);
        ctx.Write(first, 8192, 1024);
        ctx.Write(first, 2L * Images.Block + 700, 900);
        ctx.Flush(first);
        ctx.Close(first);
    }

    public override void Run(WorkloadContext ctx)
    {
        var second = ctx.Snapshot(First, Second);
        ctx.Write(second, 8192 + 512, 1024);
        ctx.Write(second, 3L * Images.Block + 1200, 600);
        ctx.Write(second, 5L * Images.Block, 1024);
        ctx.Flush(second);
        ctx.Close(second);
        ctx.Commit(Second, keepChild: false);
    }

    /// <summary>A second snapshot the crash lost is taken again; an interrupted commit is run again.</summary>
    public override void Recover(WorkloadContext ctx)
    {
        var second = ctx.Image(Second);
        bool exists = ctx.FileSystem.File.Exists(second.Path);
        if (!exists && second.Existence == ImageExistence.Creating)
        {
            ctx.Close(ctx.Snapshot(First, Second));
        }
        else if (exists && second.Existence == ImageExistence.Deleting)
        {
            ctx.Commit(Second, keepChild: false);
        }
    }
}
