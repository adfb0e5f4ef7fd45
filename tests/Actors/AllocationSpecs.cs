using Akka.Configuration;
using Storage.VhdActors;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Xunit;
using Xunit.Abstractions;

namespace Storage.Tests.Actors;

/// <summary>IDisk.GetAllocationAsync: runs of holes and data, inline and through the actor, through parents.</summary>
public sealed class AllocationSpecs : Akka.TestKit.Xunit2.TestKit
{
    private const int Block = 512 * 1024;

    public AllocationSpecs(ITestOutputHelper output)
        : base(ConfigurationFactory.ParseString(Fixtures.Hocon), nameof(AllocationSpecs), output)
    {
    }

    public static TheoryData<bool> InlineModes => new() { true, false };

    [Theory]
    [MemberData(nameof(InlineModes))]
    public async Task Runs_follow_the_allocated_blocks(bool inline)
    {
        var fs = Fixtures.NewFs();
        // 4 MiB in 512 KiB blocks: data in blocks 1, 2 and 5.
        Fixtures.CreateImage(fs, Fixtures.P("a.vhd"), fill: d =>
        {
            d.Write(Block + 7, new byte[] { 1 });
            d.Write(2 * Block, new byte[] { 2 });
            d.Write(5 * Block + Block - 1, new byte[] { 5 });
        });
        var store = DiskStore.Start(Sys, Fixtures.Options(fs) with { InlineIo = inline });
        await using var disk = await store.OpenAsync(Fixtures.P("a.vhd"));
        var runs = await RunsAsync(disk, 0, disk.Length);
        Assert.Equal(
            [(0L, (long)Block, false), (Block, 2L * Block, true), (3L * Block, 2L * Block, false), (5L * Block, Block, true), (6L * Block, disk.Length - 6L * Block, false)],
            runs);
        // A query inside a block is cut to the query.
        Assert.Equal(new DiskAllocation(100, true), await disk.GetAllocationAsync(Block + 10, 100));
        Assert.Equal(new DiskAllocation(Block - 3, false), await disk.GetAllocationAsync(3, Block - 3));
    }

    [Theory]
    [MemberData(nameof(InlineModes))]
    public async Task Bad_ranges_are_refused(bool inline)
    {
        var fs = Fixtures.NewFs();
        Fixtures.CreateImage(fs, Fixtures.P("a.vhd"));
        var store = DiskStore.Start(Sys, Fixtures.Options(fs) with { InlineIo = inline });
        await using var disk = await store.OpenAsync(Fixtures.P("a.vhd"));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await disk.GetAllocationAsync(0, 0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await disk.GetAllocationAsync(-1, 10));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await disk.GetAllocationAsync(disk.Length - 1, 2));
        // The handle still works after the refusals.
        Assert.Equal(new DiskAllocation(disk.Length, false), await disk.GetAllocationAsync(0, disk.Length));
    }

    [Fact]
    public async Task A_differencing_child_reports_its_parents_data_and_its_own()
    {
        var fs = Fixtures.NewFs();
        Fixtures.CreateImage(fs, Fixtures.P("base.vhd"), fill: d => d.Write(3 * Block, new byte[] { 3 }));
        var store = DiskStore.Start(Sys, Fixtures.Options(fs));
        await store.SnapshotAsync(Fixtures.P("base.vhd"), Fixtures.P("child.vhd"));
        await using var child = await store.OpenAsync(Fixtures.P("child.vhd"));
        await child.WriteAsync(0, new byte[] { 9 });
        var runs = await RunsAsync(child, 0, child.Length);
        Assert.Equal([(0L, (long)Block, true), (Block, 2L * Block, false), (3L * Block, Block, true), (4L * Block, child.Length - 4L * Block, false)], runs);
    }

    [Fact]
    public async Task A_fixed_image_is_one_run_of_data()
    {
        var fs = Fixtures.NewFs();
        using (var d = VirtualDisk.Create(fs, Fixtures.P("f.vhd"), new VhdCreateOptions { Size = 1 << 20, Type = VhdDiskType.Fixed })) { }
        var store = DiskStore.Start(Sys, Fixtures.Options(fs));
        await using var disk = await store.OpenAsync(Fixtures.P("f.vhd"), FileAccess.Read);
        Assert.Equal(new DiskAllocation(disk.Length, true), await disk.GetAllocationAsync(0, disk.Length));
    }

    /// <summary>Every run from offset to end, merged where the engine split a long stretch.</summary>
    private static async Task<List<(long Offset, long Length, bool Data)>> RunsAsync(IDisk disk, long offset, long end)
    {
        var runs = new List<(long, long, bool)>();
        while (offset < end)
        {
            var run = await disk.GetAllocationAsync(offset, end - offset);
            Assert.InRange(run.Length, 1, end - offset);
            if (runs.Count > 0 && runs[^1].Item3 == run.MayContainData)
                runs[^1] = (runs[^1].Item1, runs[^1].Item2 + run.Length, run.MayContainData);
            else
                runs.Add((offset, run.Length, run.MayContainData));
            offset += run.Length;
        }
        return runs;
    }
}
