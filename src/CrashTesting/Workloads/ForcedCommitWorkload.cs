namespace Storage.CrashTesting.Workloads;

/// <summary>
/// A forced commit (DESIGN.md §10): base &lt;- child and base &lt;- sibling, the child committed with
/// force. In every crash state the base opens and reads its data or the child's, the child opens
/// with its view or refuses its parent cleanly, and the sibling opens with its view or refuses (and
/// must refuse once the commit returned): nothing reads changed parent data through a stale id.
/// Run again, the commit completes.
/// </summary>
internal sealed class ForcedCommitWorkload(bool keepChild) : CrashWorkload
{
    private const string Sibling = "sibling.vhd";

    public override string Name => keepChild ? "commit-forced-keep" : "commit-forced-drop";

    public override string Description => "forced commit of a child whose parent has another child (the parent gets a new id), "
        + (keepChild ? "keeping the child (re-pointed)" : "then deleting it");

    public override bool HasRecovery => true;

    public override void Setup(WorkloadContext ctx)
    {
        Images.ParentAndChildWithData(ctx);
        var sibling = ctx.CreateDifferencing(Sibling, Images.Base);
        ctx.Write(sibling, 4096, 1536);
        ctx.Write(sibling, 3L * Images.Block + 512, 512);
        ctx.Flush(sibling);
        ctx.Close(sibling);
    }

    public override void Run(WorkloadContext ctx) => ctx.Commit(Images.Child, keepChild, force: true);

    /// <summary>The interrupted commit is run again, forced, while the child is there.</summary>
    public override void Recover(WorkloadContext ctx)
    {
        var child = ctx.Image(Images.Child);
        if (!ctx.FileSystem.File.Exists(child.Path)) return;
        child.Existence = ImageExistence.Present;
        ctx.Commit(Images.Child, keepChild, force: true);
    }
}
