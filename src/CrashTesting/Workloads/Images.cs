using Storage.VhdEngine.Disks;

namespace Storage.CrashTesting.Workloads;

/// <summary>Set-up helpers shared by the workloads: small images with distinct, non-zero data.</summary>
internal static class Images
{
    /// <summary>Requested virtual size: 4 MiB (the CHS rounding makes the last 512 KiB block partial).</summary>
    public const long Size = 4L * 1024 * 1024;

    public const int Block = WorkloadContext.BlockSize;

    public const string Base = "base.vhd";

    public const string Disk = "disk.vhd";

    public const string Child = "child.vhd";

    /// <summary>An empty dynamic image, durable and closed.</summary>
    public static void EmptyDynamic(WorkloadContext ctx, string name = Disk)
    {
        var disk = ctx.Create(name, VhdDiskType.Dynamic, Size);
        ctx.Flush(disk);
        ctx.Close(disk);
    }

    /// <summary>
    /// A dynamic parent with non-zero data in blocks 0, 1 and 3 (one run across the 0/1 boundary,
    /// one partial-sector run), durable and closed: a child sector that wrongly reads zeros or the
    /// parent where it holds its own data is caught.
    /// </summary>
    public static void ParentWithData(WorkloadContext ctx, string name = Base)
    {
        var disk = ctx.Create(name, VhdDiskType.Dynamic, Size);
        ctx.Write(disk, 0, 32 * 1024);
        ctx.Write(disk, Block - 8192, 12 * 1024);
        ctx.Write(disk, 3L * Block + 1000, 1500);
        ctx.Flush(disk);
        ctx.Close(disk);
    }

    /// <summary><see cref="ParentWithData"/> plus an empty differencing child, durable and closed.</summary>
    public static void ParentAndEmptyChild(WorkloadContext ctx)
    {
        ParentWithData(ctx);
        var child = ctx.CreateDifferencing(Child, Base);
        ctx.Flush(child);
        ctx.Close(child);
    }

    /// <summary>
    /// <see cref="ParentWithData"/>, then <see cref="Child"/> snapshotted from it with its own data
    /// (overwrites, a partial-sector run, a new block), durable and closed: what a commit merges.
    /// </summary>
    public static void ParentAndChildWithData(WorkloadContext ctx)
    {
        ParentWithData(ctx);
        var child = ctx.Snapshot(Base, Child);
        ctx.Write(child, 2048, 1024);
        ctx.Write(child, Block + 300, 600);
        ctx.Write(child, 2L * Block, 2048);
        ctx.Flush(child);
        ctx.Close(child);
    }
}
