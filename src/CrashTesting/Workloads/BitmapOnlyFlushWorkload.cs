namespace Storage.CrashTesting.Workloads;

/// <summary>
/// Flushes whose only metadata is bitmaps: writes into sectors of a differencing child's
/// already-allocated blocks whose bits are clear, so no block is allocated and the BAT stays
/// clean. The data must be durable (the first fsync) before the bits that make those sectors the
/// child's reach the file; the parent holds non-zero data under every such sector, so a bit that
/// lands without its data reads bytes nobody wrote (zeros) instead of the parent's or the new ones.
/// </summary>
internal sealed class BitmapOnlyFlushWorkload : CrashWorkload
{
    private const long Block = Images.Block;

    public override string Name => "bitmap-only-flush";

    public override string Description =>
        "writes into clear sectors of a differencing child's allocated blocks (aligned, then unaligned across a block boundary), each flush dirtying only bitmaps";

    /// <summary>A child with blocks 0, 1 and 3 allocated, each holding a few sectors away from the parent's data.</summary>
    public override void Setup(WorkloadContext ctx)
    {
        Images.ParentAndEmptyChild(ctx);
        var child = ctx.Open(Images.Child);
        ctx.Write(child, 16 * 1024, 8192);
        ctx.Write(child, Block + 64 * 1024, 4096);
        ctx.Write(child, 3 * Block + 64 * 1024, 4096);
        ctx.Flush(child);
        ctx.Close(child);
    }

    public override void Run(WorkloadContext ctx)
    {
        var child = ctx.Open(Images.Child);
        // Whole sectors in two allocated blocks, over the parent's data: two bitmaps, no BAT sector.
        ctx.Write(child, 4096, 4096);
        ctx.Write(child, 3 * Block + 512, 2048);
        ctx.Flush(child);
        // Partial sectors on both sides of the block 0/1 boundary: merged with the parent's bytes.
        ctx.Write(child, Block - 1000, 2000);
        ctx.Flush(child);
    }
}
