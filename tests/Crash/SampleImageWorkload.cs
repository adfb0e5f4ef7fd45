using Storage.CrashTesting;
using Storage.CrashTesting.Workloads;

namespace Storage.Tests.Crash;

/// <summary>
/// Allocations in an existing image file (the Virtual PC and Hyper-V samples, whose end footer is
/// not right after the BAT): one small write across two blocks, so two blocks are allocated in one
/// epoch (the second must not land on the first, nor on the BAT's padding).
/// </summary>
internal sealed class SampleImageWorkload(string name, byte[] image) : CrashWorkload
{
    public override string Name => name;

    public override string Description => $"allocations in an existing {image.Length}-byte image";

    public override void Setup(WorkloadContext ctx) => ctx.Adopt(Images.Disk, image);

    public override void Run(WorkloadContext ctx)
    {
        var disk = ctx.Open(Images.Disk);
        long block = disk.BlockSize;
        ctx.Write(disk, 7 * block - 512, 1024);
        ctx.Flush(disk);
    }
}
