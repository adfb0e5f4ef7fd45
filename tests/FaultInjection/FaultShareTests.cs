using System.IO.Abstractions.TestingHelpers;
using Storage.FaultInjection;
using Xunit;

namespace Storage.Tests.FaultInjection;

/// <summary>
/// The FaultFileSystem's sharing model (file locking as Windows and MockFileSystem do it) and its
/// injected lock refusals: what lets tests see two writers refused without real processes.
/// </summary>
public sealed class FaultShareTests
{
    private const string PathA = "/data/a.vhd";

    private static FaultFileSystem NewFileSystem(FaultPlan? plan = null)
    {
        var inner = new MockFileSystem();
        inner.Directory.CreateDirectory("/data");
        var fs = new FaultFileSystem(inner, plan);
        fs.File.WriteAllBytes(PathA, new byte[1024]);
        fs.Sync();
        return fs;
    }

    private static System.IO.Abstractions.FileSystemStream Open(FaultFileSystem fs, FileAccess access, FileShare share) =>
        fs.FileStream.New(PathA, new FileStreamOptions { Mode = FileMode.Open, Access = access, Share = share });

    [Theory]
    // held access, held share, new access, new share, admitted
    [InlineData(FileAccess.ReadWrite, FileShare.Read, FileAccess.ReadWrite, FileShare.Read, false)] // second writer
    [InlineData(FileAccess.ReadWrite, FileShare.Read, FileAccess.Read, FileShare.Read, false)] // reader while a writer
    [InlineData(FileAccess.ReadWrite, FileShare.Read, FileAccess.Read, FileShare.ReadWrite, true)] // force-share reader
    [InlineData(FileAccess.Read, FileShare.Read, FileAccess.Read, FileShare.Read, true)] // readers share
    [InlineData(FileAccess.Read, FileShare.Read, FileAccess.ReadWrite, FileShare.Read, false)] // writer while a reader
    [InlineData(FileAccess.Read, FileShare.ReadWrite, FileAccess.ReadWrite, FileShare.Read, true)] // writer beside a force-share reader
    [InlineData(FileAccess.ReadWrite, FileShare.None, FileAccess.Read, FileShare.ReadWrite, false)] // nothing shared
    public void Stated_shares_are_enforced_between_open_streams(FileAccess heldAccess, FileShare heldShare, FileAccess access, FileShare share, bool admitted)
    {
        var fs = NewFileSystem();
        using var held = Open(fs, heldAccess, heldShare);
        if (admitted)
        {
            Open(fs, access, share).Dispose();
            return;
        }

        var e = Assert.Throws<IOException>(() => Open(fs, access, share));
        Assert.Equal(FaultPlan.LockRefusedHResult, e.HResult);
        Assert.Contains(PathA, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Closing_a_stream_ends_its_share_and_a_crash_ends_them_all()
    {
        var fs = NewFileSystem();
        var writer = Open(fs, FileAccess.ReadWrite, FileShare.Read);
        Assert.Throws<IOException>(() => Open(fs, FileAccess.ReadWrite, FileShare.Read));
        writer.Dispose();
        using (Open(fs, FileAccess.ReadWrite, FileShare.Read))
        {
        }

        var survivor = Open(fs, FileAccess.ReadWrite, FileShare.Read);
        fs.Crash();
        using (Open(fs, FileAccess.ReadWrite, FileShare.Read))
        {
            // The stream from before the crash is dead, and so is its lock; closing it later changes nothing.
            survivor.Dispose();
            Assert.Throws<IOException>(() => Open(fs, FileAccess.ReadWrite, FileShare.Read));
        }
    }

    [Fact]
    public void The_plan_refuses_chosen_lock_requests_as_if_another_process_held_the_file()
    {
        var plan = new FaultPlan().RefuseLockAt(1);
        var fs = NewFileSystem(plan);
        // Opens that share read and write lock nothing and are never counted or refused.
        Open(fs, FileAccess.Read, FileShare.ReadWrite).Dispose();
        Assert.Equal(0, plan.LockRequestCount);
        Open(fs, FileAccess.ReadWrite, FileShare.Read).Dispose();
        var e = Assert.Throws<InjectedFaultException>(() => Open(fs, FileAccess.Read, FileShare.Read));
        Assert.Equal(FaultPlan.LockRefusedHResult, e.HResult);
        Assert.Contains("lock refusal", e.Message, StringComparison.Ordinal);
        Open(fs, FileAccess.ReadWrite, FileShare.Read).Dispose();
        Assert.Equal(3, plan.LockRequestCount);
        Assert.Equal(1, plan.FaultCount);
    }

    [Fact]
    public void From_then_on_every_lock_request_is_refused()
    {
        var plan = new FaultPlan().RefuseLockAt(0, fromThenOn: true);
        var fs = NewFileSystem(plan);
        for (int i = 0; i < 3; i++) Assert.Throws<InjectedFaultException>(() => Open(fs, FileAccess.ReadWrite, FileShare.Read));
        Open(fs, FileAccess.Read, FileShare.ReadWrite).Dispose();
        Assert.Equal(3, plan.FaultCount);
    }
}
