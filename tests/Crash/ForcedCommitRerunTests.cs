using System.IO.Abstractions.TestingHelpers;
using Storage.FaultInjection;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Maintenance;
using Xunit;

namespace Storage.Tests.Crash;

/// <summary>
/// A forced commit stopped by a failed fsync at each of its durability points (the crash states
/// of the same points are the commit-forced-* workloads), then run again: it completes, the kept
/// child reads what it read, the parent holds the child's data and the sibling refuses to open.
/// </summary>
public sealed class ForcedCommitRerunTests
{
    private const string Base = "/d/base.vhd";
    private const string Child = "/d/child.vhd";
    private const string Sibling = "/d/sibling.vhd";

    private static FaultFileSystem Images()
    {
        var inner = new MockFileSystem();
        inner.Directory.CreateDirectory("/d");
        var fs = new FaultFileSystem(inner);
        using (var b = VirtualDisk.Create(fs, Base, new VhdCreateOptions { Size = 4 << 20, BlockSize = 512 << 10 }))
        {
            b.Write(0, Fill(8192, 1));
            b.Flush();
        }
        using (var c = Committer.Snapshot(fs, Base, Child))
        {
            c.Write(1000, Fill(3000, 2));
            c.Write(600_000, Fill(512, 3));
            c.Flush();
        }
        using (var s = VirtualDisk.CreateDifferencing(fs, Sibling, Base))
        {
            s.Write(4096, Fill(512, 4));
            s.Flush();
        }
        return fs;
    }

    private static byte[] Fill(int length, int seed)
    {
        var b = new byte[length];
        new Random(seed).NextBytes(b);
        return b;
    }

    private static byte[] View(FaultFileSystem fs, string path)
    {
        using var d = VirtualDisk.Open(fs, path);
        var b = new byte[d.Length];
        d.Read(0, b);
        return b;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Interrupted_at_any_fsync_it_completes_when_run_again(bool keep)
    {
        var counting = Images();
        var plan = new FaultPlan();
        counting.Plan = plan;
        Committer.Commit(counting, Child, new CommitOptions { Force = true, KeepChild = keep });
        long fsyncs = plan.FlushToDiskCount;
        Assert.True(fsyncs >= (keep ? 6 : 5), $"{fsyncs} fsyncs");
        for (long k = 0; k < fsyncs; k++)
        {
            var fs = Images();
            var childView = View(fs, Child);
            fs.Plan = new FaultPlan().FailFlushToDiskAt(k);
            Assert.ThrowsAny<VhdException>(() => Committer.Commit(fs, Child, new CommitOptions { Force = true, KeepChild = keep }));
            fs.Plan = null;
            // A failed fsync of the directory after the child's deletion leaves nothing to run again.
            if (keep || fs.File.Exists(Child)) Committer.Commit(fs, Child, new CommitOptions { Force = true, KeepChild = keep });
            Assert.Equal(childView, View(fs, Base));
            if (keep)
            {
                Assert.Equal(childView, View(fs, Child));
                Assert.Empty(Checker.Check(fs, Child).Errors);
            }
            else
            {
                Assert.False(fs.File.Exists(Child), $"fsync {k}: the child is still there");
            }
            var e = Assert.Throws<VhdFormatException>(() => VirtualDisk.Open(fs, Sibling));
            Assert.Equal("parent unique id", e.Field);
        }
    }

    [Fact]
    public void Between_the_parents_new_id_and_the_childs_the_child_says_how_to_finish()
    {
        var fs = Images();
        // The second fsync makes the parent's new id durable; failing the third leaves the child pointing at the old one.
        fs.Plan = new FaultPlan().FailFlushToDiskAt(2);
        Assert.ThrowsAny<VhdException>(() => Committer.Commit(fs, Child, new CommitOptions { Force = true, KeepChild = true }));
        fs.Plan = null;
        fs.Crash();
        var e = Assert.Throws<VhdFormatException>(() => VirtualDisk.Open(fs, Child));
        Assert.Contains("interrupted forced commit", e.Message, StringComparison.Ordinal);
        Assert.Contains(Checker.Check(fs, Child).Errors, m => m.Contains("run the commit again", StringComparison.Ordinal));
        // Without --force too: the sibling no longer depends on the parent's new id, so nothing refuses.
        Committer.Commit(fs, Child, new CommitOptions { KeepChild = true });
        Assert.Equal(View(fs, Child), View(fs, Base));
    }
}
