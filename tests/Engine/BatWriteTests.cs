using System.Buffers;
using System.Buffers.Binary;
using Storage.Tests.Engine.Support;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;
using Xunit;

namespace Storage.Tests.Engine;

/// <summary>
/// How a flush writes the BAT: dirty sectors in runs of at most 64 sectors, one write each, every
/// entry of them as in memory, and the bytes past the last entry of the table's last sector left
/// 0xFF (the table is whole sectors; DESIGN.md §2).
/// </summary>
public class BatWriteTests
{
    private const int SectorEntries = 128;

    private static byte[] Table(byte[] file)
    {
        var h = Img.Header(file);
        return file.AsSpan((int)h.TableOffset, (int)BlockAllocationTable.BytesOnDisk(h.MaxTableEntries)).ToArray();
    }

    [Fact]
    public void Sixty_five_dirty_sectors_in_a_row_are_two_writes_and_every_entry_reaches_the_file()
    {
        const int Block = 512 << 10, Sectors = 65;
        var fs = Img.NewFs();
        using var t = new TelemetryRecorder();
        using (var d = VirtualDisk.Create(fs, "/d/a.vhd", new VhdCreateOptions { Size = (long)Sectors * SectorEntries * Block, BlockSize = Block }))
        {
            t.Clear();
            for (int s = 0; s < Sectors; s++) d.Write((long)(s * SectorEntries + s % 7) * Block, [(byte)(s + 1)]);
            d.Flush();
            Assert.Equal(2, t.MetadataWrites("bat"));
        }
        byte[] table = Table(fs.File.ReadAllBytes("/d/a.vhd"));
        for (int e = 0; e < Sectors * SectorEntries; e++)
        {
            uint entry = BinaryPrimitives.ReadUInt32BigEndian(table.AsSpan(e * 4));
            Assert.Equal(e % SectorEntries == e / SectorEntries % 7, entry != VhdConstants.UnallocatedEntry);
        }
        using var again = VirtualDisk.Open(fs, "/d/a.vhd");
        for (int s = 0; s < Sectors; s++)
        {
            var b = new byte[1];
            again.Read((long)(s * SectorEntries + s % 7) * Block, b);
            Assert.Equal((byte)(s + 1), b[0]);
        }
    }

    [Fact]
    public void A_flush_writes_only_the_table_sectors_dirtied_since_the_last_one()
    {
        var fs = Img.NewFs();
        using var t = new TelemetryRecorder();
        using var d = VirtualDisk.Create(fs, "/d/a.vhd", new VhdCreateOptions { Size = 4 << 20, BlockSize = 512 << 10 });
        d.Write(0, [1]);
        d.Flush();
        Assert.Equal(1, t.MetadataWrites("bat"));
        t.Clear();
        d.Write(1, [2]); // in place: the block is allocated, no entry changes
        d.Flush();
        Assert.Equal(0, t.MetadataWrites("bat"));
    }

    [Fact]
    public void The_bytes_past_the_last_entry_stay_0xFF_when_the_last_sector_is_written()
    {
        // 8 entries: one sector, of which the last 480 bytes are padding.
        var fs = Img.NewFs();
        using (var d = VirtualDisk.Create(fs, "/d/a.vhd", new VhdCreateOptions { Size = 4 << 20, BlockSize = 512 << 10 }))
        {
            d.Write(7L << 19, [1]);
            // Leave non-0xFF bytes in the pooled buffer the flush will rent (this thread's cache of
            // that size): padding must be written, not whatever the buffer held before.
            byte[] stale = ArrayPool<byte>.Shared.Rent(64 * 512);
            stale.AsSpan().Fill(0x5A);
            ArrayPool<byte>.Shared.Return(stale);
            d.Flush();
        }
        byte[] table = Table(fs.File.ReadAllBytes("/d/a.vhd"));
        Assert.Equal(512, table.Length);
        Assert.All(table[32..], b => Assert.Equal(0xFF, b));
        Assert.NotEqual(VhdConstants.UnallocatedEntry, BinaryPrimitives.ReadUInt32BigEndian(table.AsSpan(28)));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 512)]
    [InlineData(SectorEntries, 512)]
    [InlineData(SectorEntries + 1, 1024)]
    [InlineData(2 * SectorEntries, 1024)]
    public void The_table_takes_whole_sectors_and_no_more(long entries, long bytes) =>
        Assert.Equal(bytes, BlockAllocationTable.BytesOnDisk(entries));

    [Fact]
    public void A_table_of_two_to_the_24_entries_marks_its_last_sector_dirty()
    {
        // 1 TiB in 64 KiB blocks: well inside the format's limit of MaxTableEntries.
        const int Entries = 1 << 24;
        var entries = new uint[Entries];
        entries.AsSpan().Fill(VhdConstants.UnallocatedEntry);
        var bat = new BlockAllocationTable(entries);
        Assert.False(bat.IsDirty);
        bat.Set(Entries - 1, 1234);
        Assert.True(bat.IsDirty);
        Assert.Equal(1, bat.AllocatedCount);
        Assert.Equal(1234u, bat[Entries - 1]);
    }
}
