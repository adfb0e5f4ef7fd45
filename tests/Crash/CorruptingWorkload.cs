using Storage.CrashTesting;
using Storage.CrashTesting.Workloads;

namespace Storage.Tests.Crash;

/// <summary>
/// Stands in for an engine bug in tests of the harness itself: after a durable write it closes the
/// image and writes junk over the first BAT sector behind the engine's back, so the crash states
/// where that write landed fail (the image no longer opens).
/// </summary>
internal sealed class CorruptingWorkload : CrashWorkload
{
    /// <summary>Offset of the BAT in images the engine creates (footer copy, then the 1024-byte header).</summary>
    private const int BatOffset = 1536;

    public override string Name => "test-corrupting";

    public override string Description => "a durable write, then junk over the BAT behind the engine's back";

    public override void Setup(WorkloadContext ctx) => Images.EmptyDynamic(ctx);

    public override void Run(WorkloadContext ctx)
    {
        var disk = ctx.Open(Images.Disk);
        ctx.Write(disk, 0, 4096);
        ctx.Flush(disk);
        ctx.Close(disk);
        using var file = ctx.FileSystem.File.Open(WorkloadContext.PathOf(Images.Disk), FileMode.Open, FileAccess.Write);
        file.Position = BatOffset;
        file.Write(Enumerable.Repeat((byte)0x41, 512).ToArray());
    }
}
