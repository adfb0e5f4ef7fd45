using System.IO.Abstractions;
using System.IO.Abstractions.TestingHelpers;
using Microsoft.Win32.SafeHandles;
using Storage.FaultInjection;
using Xunit;
using static Storage.Tests.FaultInjection.SimDiskTests;

namespace Storage.Tests.FaultInjection;

/// <summary>
/// Handle-based I/O (<c>File.OpenHandle</c> + <c>RandomAccess</c>) on the FaultFileSystem: simulated
/// exactly as stream I/O is (same contents, same trace, same crash states, same faults, same
/// sharing), and never a way around the simulation.
/// </summary>
public sealed class FaultHandleTests
{
    private const int S = SimDisk.SectorSize;
    private const string Dir = "/data";
    private const string PathA = "/data/a.vhd";

    private static FaultFileSystem NewFileSystem()
    {
        var mock = new MockFileSystem();
        mock.Directory.CreateDirectory(Dir);
        var fs = new FaultFileSystem(mock);
        fs.File.WriteAllBytes(PathA, Fill(4 * S, 9));
        fs.Sync();
        return fs;
    }

    /// <summary>One workload, through a stream or through a handle: two writes, an fsync, a third write past the end.</summary>
    private static void Workload(FaultFileSystem fs, bool handles)
    {
        if (handles)
        {
            using SafeFileHandle h = fs.File.OpenHandle(PathA, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
            fs.RandomAccess.Write(h, Fill(S, 1), 0);
            fs.RandomAccess.Write(h, Fill(2 * S, 2), 2 * S);
            fs.RandomAccess.FlushToDisk(h);
            fs.RandomAccess.Write(h, Fill(S, 3), 5 * S);
            Assert.Equal(S, fs.RandomAccess.Read(h, new byte[S], S));
            return;
        }

        using FileSystemStream stream = fs.FileStream.New(PathA, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.ReadWrite, Share = FileShare.Read });
        stream.Position = 0;
        stream.Write(Fill(S, 1));
        stream.Position = 2 * S;
        stream.Write(Fill(2 * S, 2));
        stream.Flush(flushToDisk: true);
        stream.Position = 5 * S;
        stream.Write(Fill(S, 3));
        stream.Position = S;
        Assert.Equal(S, stream.Read(new byte[S]));
    }

    [Fact]
    public void Handle_io_is_traced_and_crash_modelled_exactly_as_the_same_stream_io()
    {
        var viaStream = NewFileSystem();
        var viaHandle = NewFileSystem();
        Workload(viaStream, handles: false);
        Workload(viaHandle, handles: true);

        Assert.Equal(viaStream.Trace, viaHandle.Trace);
        Assert.Equal(viaStream.Epoch, viaHandle.Epoch);
        var states = viaStream.EnumerateCrashStates();
        Assert.Equal(states, viaHandle.EnumerateCrashStates());
        Assert.True(states.Count > 1);
        foreach (var state in states)
        {
            Assert.Equal(viaStream.Materialize(state)[PathA].ToArray(), viaHandle.Materialize(state)[PathA].ToArray());
        }
    }

    [Fact]
    public void FlushToDisk_is_the_durability_point_and_a_crash_invalidates_the_handle()
    {
        var fs = NewFileSystem();
        using SafeFileHandle h = fs.File.OpenHandle(PathA, FileMode.Open, FileAccess.ReadWrite);
        fs.RandomAccess.Write(h, Fill(S, 1), 0);
        fs.RandomAccess.FlushToDisk(h);
        fs.RandomAccess.Write(h, Fill(S, 2), S);
        fs.RandomAccess.SetLength(h, 8 * S);
        Assert.Equal(8 * S, fs.RandomAccess.GetLength(h));

        fs.Crash();

        Assert.Throws<IOException>(() => fs.RandomAccess.Read(h, new byte[S], 0));
        byte[] after = fs.File.ReadAllBytes(PathA);
        Assert.Equal(4 * S, after.Length);
        Assert.Equal(Fill(S, 1), after[..S]);
        Assert.Equal(Fill(S, 9), after[S..(2 * S)]);
    }

    [Fact]
    public void The_plan_fails_short_reads_and_fills_handle_io_as_stream_io()
    {
        var fs = NewFileSystem();
        // A plan counts from where it is set: operation 0 is the open, 1 the write that fails.
        fs.Plan = new FaultPlan().FailAt(1);
        using (SafeFileHandle h = fs.File.OpenHandle(PathA, FileMode.Open, FileAccess.ReadWrite))
        {
            Assert.Throws<InjectedFaultException>(() => fs.RandomAccess.Write(h, Fill(S, 1), 0));
            Assert.True(fs.Trace[^1].Faulted);
        }

        fs.Plan = new FaultPlan(seed: 3).WithShortReads();
        using (SafeFileHandle h = fs.File.OpenHandle(PathA))
        {
            int read = fs.RandomAccess.Read(h, new byte[4 * S], 0);
            Assert.InRange(read, 1, 4 * S - 1);
        }

        fs.Plan = new FaultPlan().WithMaxFileSize(6 * S);
        using (SafeFileHandle h = fs.File.OpenHandle(PathA, FileMode.Open, FileAccess.ReadWrite))
        {
            var full = Assert.Throws<InjectedFaultException>(() => fs.RandomAccess.Write(h, Fill(S, 1), 6 * S));
            Assert.Equal(FaultPlan.DiskFullHResult, full.HResult);
        }
    }

    [Fact]
    public void Handles_take_part_in_sharing_and_closing_one_ends_its_share()
    {
        var fs = NewFileSystem();
        SafeFileHandle writer = fs.File.OpenHandle(PathA, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        var refused = Assert.Throws<IOException>(() => fs.File.OpenHandle(PathA, FileMode.Open, FileAccess.ReadWrite, FileShare.Read));
        Assert.Equal(FaultPlan.LockRefusedHResult, refused.HResult);
        Assert.Throws<IOException>(() => fs.FileStream.New(PathA, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.Read }));
        fs.File.OpenHandle(PathA, FileMode.Open, FileAccess.Read, FileShare.ReadWrite).Dispose();

        writer.Dispose();
        using SafeFileHandle second = fs.File.OpenHandle(PathA, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        Assert.Throws<ObjectDisposedException>(() => fs.RandomAccess.Read(writer, new byte[S], 0));
    }

    [Fact]
    public void A_stream_over_a_handle_shares_its_file_and_closes_it()
    {
        var fs = NewFileSystem();
        SafeFileHandle h = fs.File.OpenHandle(PathA, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        using (FileSystemStream stream = fs.FileStream.New(h, FileAccess.ReadWrite))
        {
            stream.Write(Fill(S, 4));
            stream.Flush(flushToDisk: true);
        }

        Assert.True(h.IsClosed);
        fs.Crash();
        Assert.Equal(Fill(S, 4), fs.File.ReadAllBytes(PathA)[..S]);
    }

    [Fact]
    public void Stand_in_handles_never_reach_a_real_file_and_foreign_handles_are_refused()
    {
        var fs = NewFileSystem();
        using SafeFileHandle h = fs.File.OpenHandle(PathA, FileMode.Open, FileAccess.Read);
        Assert.True((long)h.DangerousGetHandle() < -1);
        // The real RandomAccess cannot use it: the value is no descriptor.
        Assert.ThrowsAny<Exception>(() => System.IO.RandomAccess.Read(h, new byte[S], 0));
        Assert.Throws<UnauthorizedAccessException>(() => fs.RandomAccess.Write(h, Fill(S, 1), 0));

        string real = Path.GetTempFileName();
        try
        {
            using SafeFileHandle foreign = File.OpenHandle(real);
            Assert.Throws<NotSupportedException>(() => fs.RandomAccess.Read(foreign, new byte[S], 0));
        }
        finally
        {
            File.Delete(real);
        }

        Assert.Throws<ArgumentNullException>(() => fs.RandomAccess.GetLength(null!));
        Assert.Throws<UnauthorizedAccessException>(() => fs.File.OpenHandle(Dir));
    }

    [Fact]
    public async Task Vectored_and_async_calls_are_the_single_calls_in_order()
    {
        var fs = NewFileSystem();
        using SafeFileHandle h = fs.File.OpenHandle(PathA, FileMode.Open, FileAccess.ReadWrite);
        fs.RandomAccess.Write(h, [Fill(S, 5), Fill(S, 6)], 0);
        await fs.RandomAccess.WriteAsync(h, Fill(S, 7), 2 * S);
        var a = new byte[S];
        var b = new byte[2 * S];
        Assert.Equal(3 * S, fs.RandomAccess.Read(h, [a, b], 0));
        Assert.Equal(Fill(S, 5), a);
        Assert.Equal([.. Fill(S, 6), .. Fill(S, 7)], b);
        Assert.Equal(S, await fs.RandomAccess.ReadAsync(h, a, 3 * S));
        Assert.Equal(Fill(S, 9), a);
    }
}
