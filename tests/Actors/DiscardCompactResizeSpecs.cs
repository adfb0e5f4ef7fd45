using Akka.Configuration;
using Storage.VhdActors;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Maintenance;
using Xunit;
using Xunit.Abstractions;

namespace Storage.Tests.Actors;

/// <summary>Issue 12 through the facade: IDisk.DiscardAsync, IDiskStore.CompactAsync and ResizeAsync.</summary>
public sealed class DiscardCompactResizeSpecs : Akka.TestKit.Xunit2.TestKit
{
    private const int Block = 512 * 1024;

    public DiscardCompactResizeSpecs(ITestOutputHelper output)
        : base(ConfigurationFactory.ParseString(Fixtures.Hocon), nameof(DiscardCompactResizeSpecs), output)
    {
    }

    private static long AllocatedBlocks(System.IO.Abstractions.IFileSystem fs, string path)
    {
        using var disk = VirtualDisk.Open(fs, path, FileAccess.Read);
        return disk.Info.AllocatedBlocks;
    }

    [Fact]
    public async Task Discard_frees_whole_blocks_and_the_range_reads_zeros()
    {
        var fs = Fixtures.NewFs();
        var store = Fixtures.Start(Sys, Fixtures.Options(fs));
        string path = Fixtures.P("a.vhd");
        var data = Fixtures.Bytes(4 << 20, 7);
        await using (var disk = await store.CreateAsync(path, Fixtures.Small()))
        {
            await disk.WriteAsync(0, data);
            await disk.FlushAsync();
        }
        Assert.Equal(8, AllocatedBlocks(fs, path));

        // Blocks 1 and 2 whole, 100 bytes of blocks 0 and 3 at the edges.
        long offset = Block - 100, length = 2 * Block + 200;
        await using (var disk = await store.OpenAsync(path))
        {
            await disk.DiscardAsync(offset, length);
            var back = new byte[data.Length];
            await disk.ReadAsync(0, back);
            Assert.All(back.AsSpan((int)offset, (int)length).ToArray(), b => Assert.Equal(0, b));
            await disk.FlushAsync();
        }
        Assert.Equal(6, AllocatedBlocks(fs, path));
        using var direct = VirtualDisk.Open(fs, path, FileAccess.Read);
        var all = new byte[data.Length];
        direct.Read(0, all);
        Assert.Equal(data.AsSpan(0, (int)offset).ToArray(), all.AsSpan(0, (int)offset).ToArray());
        Assert.True(all.AsSpan((int)offset, (int)length).IndexOfAnyExcept((byte)0) < 0);
        Assert.Equal(data.AsSpan((int)(offset + length)).ToArray(), all.AsSpan((int)(offset + length)).ToArray());
    }

    [Fact]
    public async Task Discard_refuses_read_only_handles_and_ranges_outside_the_disk()
    {
        var fs = Fixtures.NewFs();
        Fixtures.CreateImage(fs, Fixtures.P("a.vhd"));
        var store = Fixtures.Start(Sys, Fixtures.Options(fs));
        await using (var reader = await store.OpenAsync(Fixtures.P("a.vhd"), FileAccess.Read))
            await Assert.ThrowsAsync<NotSupportedException>(() => reader.DiscardAsync(0, Block));
        await using var disk = await store.OpenAsync(Fixtures.P("a.vhd"));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => disk.DiscardAsync(disk.Length - 1, 2));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => disk.DiscardAsync(-1, 1));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => disk.DiscardAsync(0, -1));
    }

    [Fact]
    public async Task Compact_reclaims_zeroed_blocks_and_the_content_reads_the_same()
    {
        var fs = Fixtures.NewFs();
        var store = Fixtures.Start(Sys, Fixtures.Options(fs));
        string path = Fixtures.P("a.vhd");
        var data = Fixtures.Bytes(4 << 20, 3);
        data.AsSpan(2 * Block, 3 * Block).Clear();
        await using var disk = await store.CreateAsync(path, Fixtures.Small());
        await disk.WriteAsync(0, data);

        // A handle of this store is open: as for a commit, the store flushes and closes the image first.
        var result = await store.CompactAsync(path);
        Assert.Equal(3, result.BlocksFreed);
        Assert.True(result.BytesReclaimed > 0);
        Assert.Equal(result.FileBytesAfter, fs.FileInfo.New(path).Length);

        // The handle reopens it on its next request and reads the same content.
        var back = new byte[data.Length];
        await disk.ReadAsync(0, back);
        Assert.Equal(data, back);
    }

    [Fact]
    public async Task Resize_grows_the_image_and_a_new_handle_sees_the_new_length()
    {
        var fs = Fixtures.NewFs();
        var store = Fixtures.Start(Sys, Fixtures.Options(fs));
        string path = Fixtures.P("a.vhd");
        var data = Fixtures.Bytes(1000, 5);
        long old;
        await using (var disk = await store.CreateAsync(path, Fixtures.Small()))
        {
            old = disk.Length;
            await disk.WriteAsync(old - 1000, data);
        }
        long size = await store.ResizeAsync(path, 8 << 20);
        Assert.True(size >= 8 << 20);
        await using (var disk = await store.OpenAsync(path))
        {
            Assert.Equal(size, disk.Length);
            var back = new byte[1000];
            await disk.ReadAsync(old - 1000, back);
            Assert.Equal(data, back);
            await disk.WriteAsync(size - 3, new byte[] { 1, 2, 3 });
            using (var stream = disk.AsStream())
            {
                var error = Assert.Throws<NotSupportedException>(() => stream.SetLength(size * 2));
                Assert.Contains("ResizeAsync", error.Message, StringComparison.Ordinal);
            }
        }
        await Assert.ThrowsAsync<VhdException>(() => store.ResizeAsync(path, 4 << 20));
    }

    [Fact]
    public async Task Compact_of_a_parent_with_children_is_refused_naming_the_child_unless_forced()
    {
        var fs = Fixtures.NewFs();
        string basePath = Fixtures.P("base.vhd"), childPath = Fixtures.P("base-1.vhd");
        Fixtures.CreateImage(fs, basePath, fill: d => d.Write(0, new byte[Block]));
        VhdMaintenance.Snapshot(fs, basePath, childPath).Dispose();
        var store = Fixtures.Start(Sys, Fixtures.Options(fs));
        var error = await Assert.ThrowsAsync<VhdException>(() => store.CompactAsync(basePath));
        Assert.Contains("base-1.vhd", error.Message, StringComparison.Ordinal);
        // The child still opens: nothing was changed.
        await using var child = await store.OpenAsync(childPath);
        Assert.Equal([childPath, basePath], child.Chain);
    }
}
