using System.Buffers.Binary;
using System.Text;
using Storage.VhdActors;

namespace Storage.Samples.CrashTestYourWorkload;

/// <summary>
/// A tiny write-ahead log on a virtual disk: sector 0 is the commit record (a magic number and how
/// many records are committed), record i lives in sector 1 + i (a length, then the payload). Appending
/// writes the record, then the commit record that counts it in. Recovery trusts the commit record.
/// </summary>
public sealed class WriteAheadLog(IDisk disk)
{
    public const int Sector = 512;
    private const uint Magic = 0x57414C31; // "WAL1"

    private int _count;

    /// <summary>Where record <paramref name="index"/> lives.</summary>
    public static long SlotOffset(int index) => (1L + index) * Sector;

    /// <summary>The bytes of a record's slot: its length, then its payload, zero-padded to a sector.</summary>
    public static byte[] Slot(string payload)
    {
        var slot = new byte[Sector];
        int n = Encoding.UTF8.GetBytes(payload, slot.AsSpan(4));
        BinaryPrimitives.WriteInt32LittleEndian(slot, n);
        return slot;
    }

    /// <summary>Writes an empty log.</summary>
    public static async Task<WriteAheadLog> CreateAsync(IDisk disk)
    {
        var log = new WriteAheadLog(disk);
        await log.WriteCommitRecordAsync();
        await disk.FlushAsync();
        return log;
    }

    /// <summary>
    /// THE BUG: the record and the commit record that counts it go out together, with one flush at the
    /// end. Until that flush returns the disk may keep either without the other: a crash can leave a
    /// commit record that counts a record whose bytes never reached the disk.
    /// </summary>
    public async Task AppendNaiveAsync(string payload)
    {
        await disk.WriteAsync(SlotOffset(_count), Slot(payload));
        _count++;
        await WriteCommitRecordAsync();
        await disk.FlushAsync();
    }

    /// <summary>The fix: the record is durable (flushed) before the commit record that points at it is written.</summary>
    public async Task AppendAsync(string payload)
    {
        await disk.WriteAsync(SlotOffset(_count), Slot(payload));
        await disk.FlushAsync();
        _count++;
        await WriteCommitRecordAsync();
        await disk.FlushAsync();
    }

    /// <summary>The committed records, in order, as recovery after a crash finds them.</summary>
    public static async Task<List<string>> RecoverAsync(IDisk disk)
    {
        var sector = new byte[Sector];
        await disk.ReadAsync(0, sector);
        if (BinaryPrimitives.ReadUInt32LittleEndian(sector) != Magic) throw new InvalidDataException("not a log: bad magic in the commit record");
        int count = BinaryPrimitives.ReadInt32LittleEndian(sector.AsSpan(4));
        var records = new List<string>(count);
        for (int i = 0; i < count; i++)
        {
            await disk.ReadAsync(SlotOffset(i), sector);
            int length = Math.Clamp(BinaryPrimitives.ReadInt32LittleEndian(sector), 0, Sector - 4);
            records.Add(Encoding.UTF8.GetString(sector, 4, length));
        }

        return records;
    }

    private Task WriteCommitRecordAsync()
    {
        var commit = new byte[Sector];
        BinaryPrimitives.WriteUInt32LittleEndian(commit, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(commit.AsSpan(4), _count);
        return disk.WriteAsync(0, commit);
    }
}
