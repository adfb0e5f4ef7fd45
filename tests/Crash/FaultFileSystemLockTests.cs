using System.IO.Abstractions.TestingHelpers;
using Storage.FaultInjection;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Xunit;

namespace Storage.Tests.Crash;

/// <summary>The engine's ownership rules on the FaultFileSystem (the crash suite's file system), and its injected "lock refused".</summary>
public sealed class FaultFileSystemLockTests
{
    private const string A = "/d/a.vhd";

    private static FaultFileSystem WithImage(FaultPlan? plan = null)
    {
        var inner = new MockFileSystem();
        inner.Directory.CreateDirectory("/d");
        var fs = new FaultFileSystem(inner);
        using (var d = VirtualDisk.Create(fs, A, new VhdCreateOptions { Size = 4 << 20, BlockSize = 512 << 10 }))
            d.Flush();
        fs.Plan = plan;
        return fs;
    }

    [Fact]
    public void Writers_readers_and_force_share_readers_follow_the_rule()
    {
        var fs = WithImage();
        using (var writer = VirtualDisk.Open(fs, A, FileAccess.ReadWrite))
        {
            Assert.True(Assert.Throws<VhdImageInUseException>(() => VirtualDisk.Open(fs, A, FileAccess.ReadWrite)).ForWriting);
            Assert.False(Assert.Throws<VhdImageInUseException>(() => VirtualDisk.Open(fs, A)).ForWriting);
            VirtualDisk.Open(fs, A, FileAccess.Read, new VhdOpenOptions { ForceShare = true }).Dispose();
        }
        using var r1 = VirtualDisk.Open(fs, A);
        using var r2 = VirtualDisk.Open(fs, A);
        Assert.Throws<VhdImageInUseException>(() => VirtualDisk.Open(fs, A, FileAccess.ReadWrite));
    }

    [Fact]
    public void An_injected_lock_refusal_is_an_image_in_use_with_nothing_written()
    {
        var plan = new FaultPlan().RefuseLockAt(0);
        var fs = WithImage(plan);
        var before = fs.GetDisk(A)!.ToArray();
        var e = Assert.Throws<VhdImageInUseException>(() => VirtualDisk.Open(fs, A, FileAccess.ReadWrite));
        Assert.Null(e.Holder);
        Assert.Contains("another process", e.Message, StringComparison.Ordinal);
        Assert.IsType<InjectedFaultException>(e.InnerException);
        Assert.Equal(before, fs.GetDisk(A)!.ToArray());
        // Only that request was refused.
        VirtualDisk.Open(fs, A, FileAccess.ReadWrite).Dispose();
    }
}
