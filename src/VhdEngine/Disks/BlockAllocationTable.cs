using System.Buffers;
using System.Buffers.Binary;
using Storage.VhdEngine.Format;

namespace Storage.VhdEngine.Disks;

/// <summary>
/// The in-memory BAT: one sector number per block, and which BAT sectors changed since they
/// were last written. Dirty sectors reach the file only through <see cref="WriteDirty"/>,
/// which the allocation protocol calls after the data they describe is durable.
/// </summary>
public sealed class BlockAllocationTable
{
    private const int EntriesPerSector = VhdConstants.SectorSize / 4;
    private readonly uint[] _entries;
    private readonly bool[] _dirtySectors;
    private int _dirtyCount;

    /// <summary>Wraps decoded entries.</summary>
    public BlockAllocationTable(uint[] entries, long tableOffset)
    {
        _entries = entries;
        TableOffset = tableOffset;
        _dirtySectors = new bool[(entries.Length + EntriesPerSector - 1) / EntriesPerSector];
    }

    /// <summary>Absolute file offset of the table.</summary>
    public long TableOffset { get; }

    /// <summary>Number of entries.</summary>
    public int Count => _entries.Length;

    /// <summary>True when some entry changed since the last <see cref="WriteDirty"/>.</summary>
    public bool IsDirty => _dirtyCount > 0;

    /// <summary>The entry of <paramref name="block"/>.</summary>
    public uint this[long block] => _entries[block];

    /// <summary>True if <paramref name="block"/> has data in this file.</summary>
    public bool IsAllocated(long block) => _entries[block] != VhdConstants.UnallocatedEntry;

    /// <summary>Number of allocated entries.</summary>
    public int AllocatedCount
    {
        get
        {
            int n = 0;
            foreach (var e in _entries) if (e != VhdConstants.UnallocatedEntry) n++;
            return n;
        }
    }

    /// <summary>The raw entries (read-only view).</summary>
    public ReadOnlySpan<uint> Entries => _entries;

    /// <summary>Bytes a table of <paramref name="entries"/> entries occupies on disk.</summary>
    public static long BytesOnDisk(long entries) => (entries * 4 + VhdConstants.SectorSize - 1) / VhdConstants.SectorSize * VhdConstants.SectorSize;

    /// <summary>Reads the table of <paramref name="entries"/> entries at <paramref name="offset"/>; the caller has checked it lies in the file.</summary>
    public static BlockAllocationTable Read(BlockFile file, long offset, int entries)
    {
        var table = new uint[entries];
        int bytes = checked(entries * 4);
        byte[] buf = ArrayPool<byte>.Shared.Rent(Math.Min(bytes, 1 << 20));
        try
        {
            int done = 0;
            while (done < bytes)
            {
                int n = Math.Min(bytes - done, buf.Length);
                file.ReadAt(offset + done, buf.AsSpan(0, n));
                for (int i = 0; i < n / 4; i++)
                    table[done / 4 + i] = BinaryPrimitives.ReadUInt32BigEndian(buf.AsSpan(i * 4));
                done += n;
            }
        }
        finally { ArrayPool<byte>.Shared.Return(buf); }
        return new BlockAllocationTable(table, offset);
    }

    /// <summary>Sets the entry of <paramref name="block"/> and marks its sector dirty.</summary>
    public void Set(long block, uint sector)
    {
        _entries[block] = sector;
        long s = block / EntriesPerSector;
        if (!_dirtySectors[s]) { _dirtySectors[s] = true; _dirtyCount++; }
    }

    /// <summary>Encodes the whole table, padded with 0xFF to whole sectors.</summary>
    public void Serialize(Span<byte> destination)
    {
        destination.Fill(0xFF);
        for (int i = 0; i < _entries.Length; i++)
            BinaryPrimitives.WriteUInt32BigEndian(destination[(i * 4)..], _entries[i]);
    }

    /// <summary>Writes every dirty sector, one write per contiguous run, and clears the dirty marks.</summary>
    public void WriteDirty(BlockFile file)
    {
        if (_dirtyCount == 0) return;
        int s = 0;
        byte[] buf = ArrayPool<byte>.Shared.Rent(64 * VhdConstants.SectorSize);
        try
        {
            while (s < _dirtySectors.Length)
            {
                if (!_dirtySectors[s]) { s++; continue; }
                int start = s;
                while (s < _dirtySectors.Length && _dirtySectors[s] && s - start < 64) s++;
                int count = s - start;
                var span = buf.AsSpan(0, count * VhdConstants.SectorSize);
                span.Fill(0xFF);
                int first = start * EntriesPerSector;
                int last = Math.Min(_entries.Length, s * EntriesPerSector);
                for (int i = first; i < last; i++)
                    BinaryPrimitives.WriteUInt32BigEndian(span[((i - first) * 4)..], _entries[i]);
                file.WriteAt(TableOffset + (long)start * VhdConstants.SectorSize, span);
                VhdTelemetry.RecordMetadataWrite("bat");
                for (int i = start; i < s; i++) _dirtySectors[i] = false;
                _dirtyCount -= count;
            }
        }
        finally { ArrayPool<byte>.Shared.Return(buf); }
    }
}
