using System.IO.Abstractions.TestingHelpers;
using Storage.CrashTesting;
using Storage.FaultInjection;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;
using Xunit;

namespace Storage.Tests.Crash;

/// <summary>Engine bugs the crash suite found, each kept as the failing case that found it.</summary>
public sealed class EngineRegressionTests
{
    private const string Path = "/img/a.vhd";

    /// <summary>
    /// A disk closed without a flush (a process that died) leaves writes the OS has not written back;
    /// the next session reads them, and its Flush must make them durable (an fsync covers the file,
    /// whoever wrote it). The engine skipped the fsync when the new session had written nothing.
    /// Found by the random workload random-2321035210 (replay random-2321035210@flush2@E2:p0).
    /// </summary>
    [Theory]
    [InlineData(VhdDiskType.Dynamic)]
    [InlineData(VhdDiskType.Fixed)]
    public void Flush_after_reopening_makes_what_the_disk_reads_durable(VhdDiskType type)
    {
        var fs = new FaultFileSystem(new MockFileSystem());
        fs.Directory.CreateDirectory("/img");
        using (var created = VirtualDisk.Create(fs, Path, new VhdCreateOptions { Type = type, Size = 4 << 20, BlockSize = 512 << 10 }))
        {
            created.Write(0, Fill(4096, 1));
            created.Flush();
        }

        var died = VirtualDisk.Open(fs, Path, FileAccess.ReadWrite);
        died.Write(0, Fill(512, 2));
        died.Dispose();

        var seen = new byte[512];
        using (var next = VirtualDisk.Open(fs, Path, FileAccess.ReadWrite))
        {
            next.Read(0, seen);
            next.Flush();
        }

        Assert.Equal(Fill(512, 2), seen);
        fs.Crash();
        using var after = VirtualDisk.Open(fs, Path);
        var read = new byte[512];
        after.Read(0, read);
        Assert.Equal(seen, read);
    }

    [Fact]
    public void Random_workload_that_found_the_skipped_fsync_passes_its_replay() =>
        AssertReplayPasses("random-2321035210@flush2@E2:p0");

    [Fact]
    public void Random_workload_that_found_the_skipped_fsync_passes_in_full()
    {
        var result = CrashSuite.Run(new CrashSuiteOptions { Workloads = ["random-2321035210"], IoErrors = false });
        Assert.True(result.Passed, string.Join("\n", result.Failures));
        Assert.True(result.StatesExplored > 100);
    }

    internal static void AssertReplayPasses(string token)
    {
        var result = CrashSuite.Replay(token);
        Assert.True(result.StatesExplored > 0, $"{token} verified nothing");
        Assert.True(result.Passed, string.Join("\n", result.Failures));
    }

    private static byte[] Fill(int length, byte value) => Enumerable.Repeat(value, length).ToArray();
}
