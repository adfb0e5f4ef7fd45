using System.IO.Abstractions;
using Storage.VhdEngine.Disks;
using Xunit;

namespace Storage.Tests.Engine;

/// <summary>
/// Reads and in-place writes run without the disk's lock, beside allocating writes and flushes
/// (positional I/O on the machine's file system): every read sees each sector whole, either before
/// or after a write to it, and the image ends as a model says. Also a differencing child with more
/// allocated blocks than its bitmap cache keeps.
/// </summary>
public sealed class ConcurrentIoTests : IDisposable
{
    private const int S = 512;
    private const int Block = 512 * 1024;
    private readonly string _dir = Directory.CreateTempSubdirectory("vhd-concurrent-").FullName;
    private readonly FileSystem _fs = new();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static byte[] Sector(byte value) => Enumerable.Repeat(value, S).ToArray();

    [Fact]
    public async Task Readers_see_whole_sectors_while_a_writer_allocates_and_others_write_in_place()
    {
        string parent = Path.Combine(_dir, "p.vhd"), child = Path.Combine(_dir, "c.vhd");
        const int blocks = 16;
        using (var p = VirtualDisk.Create(_fs, parent, new VhdCreateOptions { Size = blocks * (long)Block, BlockSize = Block }))
        {
            for (int b = 0; b < blocks; b++) p.Write((long)b * Block, Enumerable.Repeat((byte)1, Block).ToArray());
            p.Flush();
        }
        var d = VirtualDisk.CreateDifferencing(_fs, child, parent);
        // Block b's first half is written in place by writer threads (after one allocating write), its
        // second half sector by sector by the allocating writer: each sector reads 1 (parent) or 2.
        for (int b = 0; b < blocks; b++) d.Write((long)b * Block, new byte[Block / 2]);
        using var stop = new CancellationTokenSource();
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var readers = Enumerable.Range(0, 2).Select(t => Task.Run(() =>
        {
            var rng = new Random(t);
            var buf = new byte[8 * S];
            while (!stop.IsCancellationRequested)
            {
                long at = (long)rng.Next(blocks) * Block + Block / 2 + rng.Next(Block / 2 / S - 8) * S;
                d.Read(at, buf);
                for (int i = 0; i < buf.Length; i += S)
                    if (buf[i] is not (1 or 2) || buf.AsSpan(i, S).ContainsAnyExcept(buf[i])) errors.Enqueue($"torn sector at {at + i}");
            }
        })).ToArray();
        var inPlace = Enumerable.Range(0, 2).Select(t => Task.Run(() =>
        {
            for (int i = 0; i < 2000; i++) d.Write((long)(i % blocks) * Block + t * 4096, Sector((byte)(3 + t)));
        })).ToArray();
        for (int s = 0; s < Block / 2 / S; s += 7)
        {
            for (int b = 0; b < blocks; b++) d.Write((long)b * Block + Block / 2 + (long)s * S, Sector(2));
            if (s % 70 == 0) d.Flush();
        }
        await Task.WhenAll(inPlace);
        await stop.CancelAsync();
        await Task.WhenAll(readers);
        d.Flush();
        d.Dispose();
        Assert.Empty(errors);

        using var after = VirtualDisk.Open(_fs, child);
        var sector = new byte[S];
        for (int b = 0; b < blocks; b++)
        {
            for (int s = 0; s < Block / 2 / S; s++)
            {
                after.Read((long)b * Block + Block / 2 + (long)s * S, sector);
                Assert.Equal(s % 7 == 0 ? 2 : 1, sector[0]);
            }
            after.Read((long)b * Block + 4096, sector);
            Assert.Equal(4, sector[0]);
        }
    }

    [Fact]
    public void A_child_with_more_allocated_blocks_than_the_bitmap_cache_keeps_reads_and_reopens_right()
    {
        string parent = Path.Combine(_dir, "p.vhd"), child = Path.Combine(_dir, "c.vhd");
        int blocks = BitmapCache.BudgetBytes / S + 300; // bitmaps of 512 KiB blocks are one sector each
        using (var p = VirtualDisk.Create(_fs, parent, new VhdCreateOptions { Size = blocks * (long)Block, BlockSize = Block })) { }
        using (var d = VirtualDisk.CreateDifferencing(_fs, child, parent))
        {
            for (int b = 0; b < blocks; b++) d.Write((long)b * Block + (b % 1024) * S, Sector((byte)(b % 250 + 1)));
            d.Flush();
            // Sectors set in blocks allocated before the flush: their bitmaps are loaded back, dirtied, pinned.
            for (int b = 0; b < blocks; b += 3) d.Write((long)b * Block + ((b + 1) % 1024) * S, Sector(255));
            d.Flush();
            Assert.Equal(blocks, d.AllocatedBlocks);
        }
        using var r = VirtualDisk.Open(_fs, child);
        var buf = new byte[2 * S];
        for (int pass = 0; pass < 2; pass++)
            for (int b = 0; b < blocks; b++)
            {
                int s = b % 1024;
                if (s == 1023) continue;
                r.Read((long)b * Block + s * S, buf);
                Assert.Equal((byte)(b % 250 + 1), buf[0]);
                Assert.Equal(b % 3 == 0 ? 255 : 0, buf[S]);
            }
        Assert.Equal(blocks, r.AllocatedBlocks);
    }
}
