using System.IO.Abstractions;
using System.IO.Abstractions.TestingHelpers;
using Storage.FaultInjection;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Maintenance;
using Xunit;

namespace Storage.Tests.Crash;

/// <summary>
/// The engine makes names durable where DESIGN.md's guarantees need it: create fsyncs the directory
/// after renaming IMAGE.creating into place, commit after deleting the child. A planted missing
/// directory fsync (a test decorator that refuses directory handles) is found by the crash model.
/// </summary>
public sealed class DirectoryDurabilityTests
{
    private const string Dir = "/img";
    private const string Image = "/img/disk.vhd";
    private static readonly VhdCreateOptions Small = new() { Size = 4 << 20, BlockSize = 512 << 10 };

    [Fact]
    public void Create_fsyncs_the_directory_after_the_rename()
    {
        FaultFileSystem fs = NewFileSystem();
        VirtualDisk.Create(fs, Image, Small).Dispose();

        var trace = fs.Trace;
        int move = Index(trace, FaultOperationKind.Move, Image + ".creating");
        int sync = Index(trace, FaultOperationKind.FlushDirectory, Dir);
        Assert.True(move < sync, $"the directory fsync ({sync}) must follow the rename ({move})");
        Assert.All(fs.EnumerateCrashStates(), s => Assert.True(fs.Materialize(s).ContainsKey(Image)));
    }

    [Fact]
    public void Commit_fsyncs_the_directory_after_deleting_the_child()
    {
        FaultFileSystem fs = NewFileSystem();
        VirtualDisk.Create(fs, Image, Small).Dispose();
        Committer.Snapshot(fs, Image, "/img/child.vhd").Dispose();
        fs.ClearTrace();

        Committer.Commit(fs, "/img/child.vhd", new CommitOptions { KeepChild = false });
        var trace = fs.Trace;
        Assert.True(Index(trace, FaultOperationKind.Delete, "/img/child.vhd") < Index(trace, FaultOperationKind.FlushDirectory, Dir));
        Assert.All(fs.EnumerateCrashStates(), s => Assert.False(fs.Materialize(s).ContainsKey("/img/child.vhd")));
    }

    [Fact]
    public void A_failed_directory_fsync_fails_the_create_and_leaves_no_image()
    {
        FaultFileSystem counter = NewFileSystem();
        VirtualDisk.Create(counter, Image, Small).Dispose();
        long flushes = counter.FlushToDiskCount;

        // The directory fsync is the create's last Flush(true).
        FaultFileSystem fs = NewFileSystem(new FaultPlan().FailFlushToDiskAt(flushes - 1));
        var error = Assert.Throws<VhdIOException>(() => VirtualDisk.Create(fs, Image, Small));
        Assert.Contains("create failed", error.Message);
        Assert.False(fs.File.Exists(Image));
        Assert.False(fs.File.Exists(Image + ".creating"));
    }

    [Fact]
    public void The_crash_model_finds_a_planted_missing_directory_fsync_in_create()
    {
        FaultFileSystem planted = NewFileSystem();
        Assert.NotEmpty(ImageLostAtTheFirstWrite(new DirectoryRefusingFileSystem(planted), planted));
        FaultFileSystem sound = NewFileSystem();
        Assert.Empty(ImageLostAtTheFirstWrite(sound, sound));
    }

    [Fact]
    public void On_the_real_file_system_create_and_commit_fsync_the_directory_natively()
    {
        string dir = Directory.CreateTempSubdirectory("vhd-dirsync-").FullName;
        try
        {
            var fs = new FileSystem();
            string image = Path.Combine(dir, "disk.vhd");
            string child = Path.Combine(dir, "child.vhd");
            VirtualDisk.Create(fs, image, Small).Dispose();
            Committer.Snapshot(fs, image, child).Dispose();
            Committer.Commit(fs, child, new CommitOptions { KeepChild = false });
            Assert.True(File.Exists(image));
            Assert.False(File.Exists(child));

            NativeDirectory.Fsync(dir);
            NativeDirectory.Fsync(Path.Combine(dir, "not-there"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Creates the image on <paramref name="fs"/> (over <paramref name="faults"/>), then names the crash states of its first write's flush that lose it.</summary>
    private static List<string> ImageLostAtTheFirstWrite(IFileSystem fs, FaultFileSystem faults)
    {
        VirtualDisk.Create(fs, Image, Small).Dispose();
        var lost = new List<string>();
        faults.FlushingToDisk += (_, e) =>
        {
            foreach (CrashState state in e.FileSystem.EnumerateCrashStates())
            {
                if (!e.FileSystem.Materialize(state).ContainsKey(Image)) lost.Add(state.ToString());
            }
        };
        using var disk = VirtualDisk.Open(fs, Image, FileAccess.ReadWrite);
        disk.Write(0, new byte[4096]);
        disk.Flush();
        return lost;
    }

    private static int Index(IReadOnlyList<FaultOperation> trace, FaultOperationKind kind, string path)
    {
        for (int i = 0; i < trace.Count; i++)
        {
            if (trace[i].Kind == kind && trace[i].Path == path) return i;
        }

        throw new Xunit.Sdk.XunitException($"no {kind} of {path} in the trace");
    }

    private static FaultFileSystem NewFileSystem(FaultPlan? plan = null)
    {
        var inner = new MockFileSystem();
        inner.Directory.CreateDirectory(Dir);
        return new FaultFileSystem(inner, plan);
    }
}
