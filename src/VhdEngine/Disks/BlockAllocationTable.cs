using System.Buffers;
using System.Buffers.Binary;
using Storage.VhdEngine.Format;

namespace Storage.VhdEngine.Disks;

/// <summary>
/// The BAT in memory: one sector number per block, and which of the table's sectors changed since
/// they were last written. The disk that owns it decodes it from the file, and has it write its
/// dirty runs (<see cref="WriteDirty"/>) when the allocation protocol allows (DESIGN.md §4: only
/// after the data they point at is durable). One writer (the disk's allocation or discard, under
/// its lock) and any number of readers without a lock: an entry is read and set whole and
/// volatile; it goes from unallocated to a sector only after that block's data is written, and a
/// discarded block's old sector stays readable until a compaction (which runs on a closed image).
/// </summary>
internal sealed class BlockAllocationTable
{
    /// <summary>Most table sectors in one dirty run (one write each).</summary>
    private const int MaxRunSectors = 64;

    private const int EntriesPerSector = VhdConstants.SectorSize / 4;
    private readonly uint[] _entries;
    private readonly bool[] _dirtySectors;
    private int _dirtyCount;
    private int _allocated;

    /// <summary>Wraps decoded entries; none is dirty.</summary>
    public BlockAllocationTable(uint[] entries)
    {
        _entries = entries;
        _dirtySectors = new bool[(entries.Length + EntriesPerSector - 1) / EntriesPerSector];
        foreach (var e in entries) if (e != VhdConstants.UnallocatedEntry) _allocated++;
    }

    /// <summary>Number of entries.</summary>
    public int Count => _entries.Length;

    /// <summary>True when some entry changed since its sector was last marked clean.</summary>
    public bool IsDirty => _dirtyCount > 0;

    /// <summary>The entry of <paramref name="block"/>.</summary>
    public uint this[long block] => Volatile.Read(ref _entries[block]);

    /// <summary>The raw entries (read-only view).</summary>
    public ReadOnlySpan<uint> Entries => _entries;

    /// <summary>Number of allocated entries (counted once when loaded, then kept by <see cref="Set"/>).</summary>
    public int AllocatedCount => Volatile.Read(ref _allocated);

    /// <summary>True if <paramref name="block"/> has data in this file.</summary>
    public bool IsAllocated(long block) => this[block] != VhdConstants.UnallocatedEntry;

    /// <summary>Bytes a table of <paramref name="entries"/> entries occupies on disk (whole sectors).</summary>
    public static long BytesOnDisk(long entries) => (entries * 4 + VhdConstants.SectorSize - 1) / VhdConstants.SectorSize * VhdConstants.SectorSize;

    /// <summary>Decodes big-endian entries from <paramref name="source"/> (four bytes each) into <paramref name="destination"/>.</summary>
    public static void Decode(ReadOnlySpan<byte> source, Span<uint> destination)
    {
        for (int i = 0; i < destination.Length; i++)
            destination[i] = BinaryPrimitives.ReadUInt32BigEndian(source[(i * 4)..]);
    }

    /// <summary>Sets the entry of <paramref name="block"/> and marks its sector dirty.</summary>
    public void Set(long block, uint sector)
    {
        bool wasAllocated = _entries[block] != VhdConstants.UnallocatedEntry;
        bool isAllocated = sector != VhdConstants.UnallocatedEntry;
        Volatile.Write(ref _entries[block], sector);
        if (wasAllocated != isAllocated) Volatile.Write(ref _allocated, _allocated + (isAllocated ? 1 : -1));
        long s = block / EntriesPerSector;
        if (!_dirtySectors[s]) { _dirtySectors[s] = true; _dirtyCount++; }
    }

    /// <summary>
    /// The first run of dirty table sectors at or after sector <paramref name="from"/>, at most
    /// <see cref="MaxRunSectors"/> long; false when there is none.
    /// </summary>
    private bool NextDirtyRun(int from, out int first, out int count)
    {
        first = Array.IndexOf(_dirtySectors, true, Math.Min(from, _dirtySectors.Length));
        count = 0;
        if (first < 0) return false;
        while (first + count < _dirtySectors.Length && _dirtySectors[first + count] && count < MaxRunSectors) count++;
        return true;
    }

    /// <summary>Encodes table sectors [first, first+count) into <paramref name="destination"/>, padding past the last entry with 0xFF.</summary>
    private void Encode(int first, int count, Span<byte> destination)
    {
        var bytes = destination[..(count * VhdConstants.SectorSize)];
        bytes.Fill(0xFF);
        int firstEntry = first * EntriesPerSector;
        int end = Math.Min(_entries.Length, (first + count) * EntriesPerSector);
        for (int i = firstEntry; i < end; i++)
            BinaryPrimitives.WriteUInt32BigEndian(bytes[((i - firstEntry) * 4)..], _entries[i]);
    }

    /// <summary>
    /// Writes every dirty run of table sectors to <paramref name="file"/> (the table at
    /// <paramref name="tableOffset"/>), one write per run, marking each clean once written. The
    /// caller orders it after the fsync that makes what the entries point at durable (DESIGN.md §4).
    /// </summary>
    public void WriteDirty(BlockFile file, long tableOffset)
    {
        if (!IsDirty) return;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(MaxRunSectors * VhdConstants.SectorSize);
        try
        {
            for (int from = 0; NextDirtyRun(from, out int first, out int count); from = first + count)
            {
                var run = buffer.AsSpan(0, count * VhdConstants.SectorSize);
                Encode(first, count, run);
                file.WriteAt(tableOffset + (long)first * VhdConstants.SectorSize, run);
                VhdTelemetry.RecordMetadataWrite("bat");
                MarkClean(first, count);
            }
        }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
    }

    /// <summary>Marks table sectors [first, first+count) clean: the caller wrote them, a run <see cref="NextDirtyRun"/> found all dirty.</summary>
    private void MarkClean(int first, int count)
    {
        Array.Clear(_dirtySectors, first, count);
        _dirtyCount -= count;
    }
}
