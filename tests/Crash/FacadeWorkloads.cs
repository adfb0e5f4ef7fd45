using Storage.CrashTesting;
using Storage.VhdActors;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;
using Storage.VhdEngine.Maintenance;

namespace Storage.Tests.Crash;

/// <summary>
/// Our own crash workloads (src/CrashTesting/Workloads) written as a service author writes one for
/// the public API: the same images, writes, flushes, snapshots and commits, through
/// <see cref="IDiskStore"/> and <see cref="IDisk"/> (a differencing child comes from SnapshotAsync, the
/// facade's only way to make one). The two repair workloads start from a deliberately crashed image,
/// which a set-up through the store cannot build, and the two forced commits make a sibling refuse to
/// open on purpose, which the API's built-in check flags; they stay in the internal suite only.
/// </summary>
internal static class FacadeWorkloads
{
    public const int Block = 512 * 1024;
    private const long Size = 4L * 1024 * 1024;
    private const string Disk = "disk.vhd";
    private const string Base = "base.vhd";
    private const string Child = "child.vhd";

    private static readonly (long Offset, int Length)[] SmallWrites =
    [
        (512, 512), (Block * 2L + 1024, 512), (100, 300),
        (40 * 1024, 1024), (Block * 2L + 1024, 512), (Block * 5L + 4096, 512),
        (Block * 5L + 8192, 700), (0, 512), (Block * 2L - 512, 1024),
        (Block * 3L + 1500, 100), (64 * 1024, 512), (Block * 5L + 4096, 1024),
    ];

    private static int s_writeId;

    /// <summary>Name, set-up (or null) and run of each ported workload.</summary>
    public static IReadOnlyDictionary<string, (Func<CrashTestContext, Task>? Setup, Func<CrashTestContext, Task> Run)> All { get; } =
        new Dictionary<string, (Func<CrashTestContext, Task>?, Func<CrashTestContext, Task>)>(StringComparer.Ordinal)
        {
            ["create-dynamic"] = (null, CreateDynamic),
            ["create-fixed"] = (null, CreateFixed),
            ["create-differencing"] = (ctx => ParentWithData(ctx), CreateDifferencing),
            ["first-write"] = (EmptyDynamic, ctx => FirstWrite(ctx, Disk, Block + 1024, 4096)),
            ["first-write-differencing"] = (ParentAndEmptyChild, ctx => FirstWrite(ctx, Child, 700, 2100)),
            ["span-blocks"] = (EmptyDynamic, ctx => SpanBlocks(ctx, Disk)),
            ["span-blocks-differencing"] = (ParentAndEmptyChild, ctx => SpanBlocks(ctx, Child)),
            ["small-writes"] = (ctx => WithData(ctx, EmptyDynamic, Disk, 0, 64 * 1024), ctx => SmallWritesRun(ctx, Disk)),
            ["small-writes-differencing"] = (ctx => WithData(ctx, ParentAndEmptyChild, Child, 16 * 1024, 8192), ctx => SmallWritesRun(ctx, Child)),
            ["bitmap-only-flush"] = (BitmapSetup, BitmapRun),
            ["snapshot"] = (ctx => ParentWithData(ctx), Snapshot),
            ["commit-keep"] = (ChildWithData, ctx => ctx.Store.CommitAsync(ctx.PathOf(Child), keepChild: true)),
            ["commit-drop"] = (ChildWithData, ctx => ctx.Store.CommitAsync(ctx.PathOf(Child), keepChild: false)),
            ["snapshot-chain"] = (ChainSetup, ChainRun),
        };

    /// <summary>The check every port gets: each image present passes <see cref="Checker.Check"/>, then the store's promises hold.</summary>
    public static async Task Check(CrashRecoveryContext check)
    {
        foreach (string path in check.FileSystem.Directory.EnumerateFiles(check.Directory, "*.vhd"))
        {
            var report = Checker.Check(check.FileSystem, path);
            check.Check(report.Errors.Count == 0, $"{path}: check reports errors: {string.Join("; ", report.Errors)}");
        }

        await check.VerifyDurableWritesAsync();
    }

    public static async Task Write(IDisk disk, long offset, int length) =>
        await disk.WriteAsync(offset, CrashTestApiTests.Bytes(length, Interlocked.Increment(ref s_writeId)));

    public static async Task EmptyDynamic(CrashTestContext ctx)
    {
        await using var disk = await ctx.Store.CreateAsync(ctx.PathOf(Disk), Options(VhdDiskType.Dynamic, Size));
        await disk.FlushAsync();
    }

    private static VhdCreateOptions Options(VhdDiskType type, long size) => new() { Type = type, Size = size, BlockSize = Block };

    private static async Task ParentWithData(CrashTestContext ctx, string name = Base)
    {
        await using var disk = await ctx.Store.CreateAsync(ctx.PathOf(name), Options(VhdDiskType.Dynamic, Size));
        await Write(disk, 0, 32 * 1024);
        await Write(disk, Block - 8192, 12 * 1024);
        await Write(disk, 3L * Block + 1000, 1500);
        await disk.FlushAsync();
    }

    private static async Task ParentAndEmptyChild(CrashTestContext ctx)
    {
        await ParentWithData(ctx);
        await ctx.Store.SnapshotAsync(ctx.PathOf(Base), ctx.PathOf(Child));
    }

    private static async Task WithData(CrashTestContext ctx, Func<CrashTestContext, Task> images, string name, long offset, int length)
    {
        await images(ctx);
        await using var disk = await ctx.Store.OpenAsync(ctx.PathOf(name));
        await Write(disk, offset, length);
        await disk.FlushAsync();
    }

    private static async Task ChildWithData(CrashTestContext ctx)
    {
        await ParentAndEmptyChild(ctx);
        await using var child = await ctx.Store.OpenAsync(ctx.PathOf(Child));
        await Write(child, 2048, 1024);
        await Write(child, Block + 300, 600);
        await Write(child, 2L * Block, 2048);
        await child.FlushAsync();
    }

    private static async Task CreateDynamic(CrashTestContext ctx)
    {
        var disk = await ctx.Store.CreateAsync(ctx.PathOf(Disk), Options(VhdDiskType.Dynamic, Size));
        await Write(disk, 4096, 4096);
        await disk.FlushAsync();
        await Write(disk, 2L * Block + 512, 1536);
        await disk.FlushAsync();
        await Write(disk, 16 * 512, 512);
    }

    private static async Task CreateFixed(CrashTestContext ctx)
    {
        var disk = await ctx.Store.CreateAsync(ctx.PathOf(Disk), Options(VhdDiskType.Fixed, 2L * 1024 * 1024));
        await Write(disk, 4096, 4096);
        await disk.FlushAsync();
        await Write(disk, 100, 700);
        await Write(disk, 1024 * 1024, 1024);
        await disk.FlushAsync();
        await Write(disk, 4096 + 512, 512);
    }

    private static async Task CreateDifferencing(CrashTestContext ctx)
    {
        await ctx.Store.SnapshotAsync(ctx.PathOf(Base), ctx.PathOf(Child));
        var child = await ctx.Store.OpenAsync(ctx.PathOf(Child));
        await Write(child, 1000, 2000);
        await child.FlushAsync();
        await Write(child, 2L * Block + 512, 1024);
        await child.FlushAsync();
    }

    private static async Task FirstWrite(CrashTestContext ctx, string name, long offset, int length)
    {
        var disk = await ctx.Store.OpenAsync(ctx.PathOf(name));
        await Write(disk, offset, length);
        await disk.FlushAsync();
    }

    private static async Task SpanBlocks(CrashTestContext ctx, string name)
    {
        var disk = await ctx.Store.OpenAsync(ctx.PathOf(name));
        await Write(disk, Block - 4096, 8192);
        await disk.FlushAsync();
        await Write(disk, Block - 1000, 2500);
        await disk.FlushAsync();
        await Write(disk, 2L * Block - 512, 1024);
    }

    private static async Task SmallWritesRun(CrashTestContext ctx, string name)
    {
        var disk = await ctx.Store.OpenAsync(ctx.PathOf(name));
        for (int i = 0; i < SmallWrites.Length; i++)
        {
            await Write(disk, SmallWrites[i].Offset, SmallWrites[i].Length);
            if (i % 3 == 2) await disk.FlushAsync();
        }
    }

    private static async Task BitmapSetup(CrashTestContext ctx)
    {
        await ParentAndEmptyChild(ctx);
        await using var child = await ctx.Store.OpenAsync(ctx.PathOf(Child));
        await Write(child, 16 * 1024, 8192);
        await Write(child, Block + 64 * 1024, 4096);
        await Write(child, 3L * Block + 64 * 1024, 4096);
        await child.FlushAsync();
    }

    private static async Task BitmapRun(CrashTestContext ctx)
    {
        var child = await ctx.Store.OpenAsync(ctx.PathOf(Child));
        await Write(child, 4096, 4096);
        await Write(child, 3L * Block + 512, 2048);
        await child.FlushAsync();
        await Write(child, Block - 1000, 2000);
        await child.FlushAsync();
    }

    private static async Task Snapshot(CrashTestContext ctx)
    {
        await ctx.Store.SnapshotAsync(ctx.PathOf(Base), ctx.PathOf(Child));
        var child = await ctx.Store.OpenAsync(ctx.PathOf(Child));
        await Write(child, 4096, 2048);
        await Write(child, 2L * Block + 100, 300);
        await child.FlushAsync();
        await Write(child, 0, 512);
    }

    private static async Task ChainSetup(CrashTestContext ctx)
    {
        await ParentWithData(ctx);
        await ctx.Store.SnapshotAsync(ctx.PathOf(Base), ctx.PathOf("first.vhd"));
        await using var first = await ctx.Store.OpenAsync(ctx.PathOf("first.vhd"));
        await Write(first, 8192, 1024);
        await Write(first, 2L * Block + 700, 900);
        await first.FlushAsync();
    }

    private static async Task ChainRun(CrashTestContext ctx)
    {
        await ctx.Store.SnapshotAsync(ctx.PathOf("first.vhd"), ctx.PathOf("second.vhd"));
        await using (var second = await ctx.Store.OpenAsync(ctx.PathOf("second.vhd")))
        {
            await Write(second, 8192 + 512, 1024);
            await Write(second, 3L * Block + 1200, 600);
            await Write(second, 5L * Block, 1024);
            await second.FlushAsync();
        }

        await ctx.Store.CommitAsync(ctx.PathOf("second.vhd"), keepChild: false);
    }
}
