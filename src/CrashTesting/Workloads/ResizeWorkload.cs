namespace Storage.CrashTesting.Workloads;

/// <summary>
/// Resizer.Resize of an image with data: a dynamic image grown while its BAT still fits, shrunk
/// below its old size, then grown so far that its BAT moves to the end of the file; the same grown
/// only that far; and a differencing child grown past its parent, shrunk, grown again (its BAT
/// moves past its locators). Every crashed state is resized again to
/// the final size (the rerun must complete it).
/// </summary>
internal sealed class ResizeWorkload(ResizeWorkload.Kind kind) : CrashWorkload
{
    private const long M = 1024 * 1024;

    public enum Kind { GrowShrink, GrowMovingTable, Differencing }

    private long[] Sizes => kind switch
    {
        Kind.GrowShrink => [64 * M, 2 * M, 300 * M],
        Kind.GrowMovingTable => [300 * M],
        _ => [8 * M, 2 * M, 600 * M],
    };

    private string Image => kind == Kind.Differencing ? Images.Child : Images.Base;

    public override string Name => kind switch
    {
        Kind.GrowShrink => "resize-grow-shrink",
        Kind.GrowMovingTable => "resize-grow-bat-moves",
        _ => "resize-differencing",
    };

    public override string Description => $"resize {Image} to {string.Join(" then ", Sizes)} bytes";

    public override bool HasRecovery => true;

    public override void Setup(WorkloadContext ctx)
    {
        if (kind == Kind.Differencing) Images.ParentAndChildWithData(ctx);
        else Images.ParentWithData(ctx);
    }

    public override void Run(WorkloadContext ctx)
    {
        foreach (long size in Sizes) ctx.Resize(Image, size, allowShrink: true);
    }

    /// <summary>"Running it again completes it."</summary>
    public override void Recover(WorkloadContext ctx) => ctx.Resize(Image, Sizes[^1], allowShrink: true);
}
