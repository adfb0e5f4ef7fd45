namespace Storage.CrashTesting.Workloads;

/// <summary>
/// Reparenter.SetParent: a child with data is relinked to a byte-for-byte copy of its parent under
/// a longer name in a subfolder (what a moved parent looks like, with the old one still there so
/// every crash state can read either): new header and locators past the end, then the footers.
/// Every crashed state is relinked again.
/// </summary>
internal sealed class SetParentWorkload : CrashWorkload
{
    private const string Copy = "moved/the-base-image-moved-here.vhd";

    public override string Name => "set-parent";

    public override string Description => "relink a child with data to a copy of its parent in a subfolder";

    public override bool HasRecovery => true;

    public override void Setup(WorkloadContext ctx)
    {
        Images.ParentAndChildWithData(ctx);
        ctx.FileSystem.Directory.CreateDirectory(WorkloadContext.PathOf("moved"));
        ctx.FileSystem.File.Copy(ctx.Image(Images.Base).Path, WorkloadContext.PathOf(Copy));
    }

    public override void Run(WorkloadContext ctx) => ctx.SetParent(Images.Child, Copy);

    /// <summary>"Running it again completes it."</summary>
    public override void Recover(WorkloadContext ctx) => ctx.SetParent(Images.Child, Copy);
}
