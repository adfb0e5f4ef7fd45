namespace Storage.VhdEngine.Disks;

/// <summary>
/// The sector bitmaps of a differencing image's allocated blocks, bounded: at most
/// <see cref="Capacity"/> clean bitmaps are kept (CLOCK eviction: a bitmap used since the hand
/// last passed gets a second chance), loaded from the file on a miss into the slot of the one
/// evicted, so a full cache allocates nothing. A dirty bitmap (bits set in memory that the file
/// does not have yet, DESIGN.md §4) is never evicted: it is pinned until <see cref="WriteDirty"/>
/// writes it at the next flush, so the cache exceeds its capacity only by the blocks written since
/// the last flush. One lock guards it; it is held across a miss's read and a flush's writes (page
/// cache I/O of one bitmap), so readers on several threads see a bitmap whole.
/// </summary>
internal sealed class BitmapCache
{
    /// <summary>Memory the clean bitmaps of one image may take (the decision: README "Decisions").</summary>
    public const int BudgetBytes = 1 << 20;

    private readonly Lock _gate = new();
    private readonly int _bytes;
    private readonly Action<long, Span<byte>> _load;
    private readonly Dictionary<long, Slot> _index = [];
    private readonly List<Slot> _ring = [];
    private int _hand;
    private int _dirty;

    /// <summary>A cache of bitmaps of <paramref name="bitmapBytes"/> bytes, read by <paramref name="load"/> (block, destination) on a miss.</summary>
    public BitmapCache(int bitmapBytes, Action<long, Span<byte>> load)
    {
        _bytes = bitmapBytes;
        _load = load;
        Capacity = Math.Max(16, BudgetBytes / bitmapBytes);
    }

    /// <summary>Most clean bitmaps kept.</summary>
    public int Capacity { get; }

    /// <summary>Bitmaps held now, dirty ones included.</summary>
    public int Count { get { lock (_gate) return _index.Count; } }

    /// <summary>True when some bitmap has bits the file does not have yet.</summary>
    public bool IsDirty { get { lock (_gate) return _dirty > 0; } }

    /// <summary>The length of the run of sectors from <paramref name="first"/> (at most <paramref name="limit"/>) whose bit equals its bit, and that bit.</summary>
    public int RunLength(long block, int first, int limit, out bool set)
    {
        lock (_gate) return SectorBitmap.RunLength(Find(block).Bits, first, limit, out set);
    }

    /// <summary>True if every sector of [first, first+count) of <paramref name="block"/> is this file's.</summary>
    public bool AllSet(long block, int first, int count) => RunLength(block, first, count, out bool set) >= count && set;

    /// <summary>True if sector <paramref name="sector"/> of <paramref name="block"/> is this file's.</summary>
    public bool IsSet(long block, int sector)
    {
        lock (_gate) return SectorBitmap.IsSet(Find(block).Bits, sector);
    }

    /// <summary>Marks [first, first+count) of <paramref name="block"/> as this file's; the bitmap is pinned dirty if a bit changed.</summary>
    public void SetRange(long block, int first, int count)
    {
        lock (_gate)
        {
            var slot = Find(block);
            if (SectorBitmap.RunLength(slot.Bits, first, count, out bool set) >= count && set) return;
            SectorBitmap.SetRange(slot.Bits, first, count);
            if (!slot.Dirty) { slot.Dirty = true; _dirty++; }
        }
    }

    /// <summary>Adds the bitmap of a block just allocated, which the allocation wrote to the file (clean).</summary>
    public void Add(long block, ReadOnlySpan<byte> bits)
    {
        lock (_gate)
        {
            // A reader that saw the new BAT entry may have loaded it from the file already: same bits.
            var slot = _index.TryGetValue(block, out var loaded) ? loaded : Place(block);
            bits.CopyTo(slot.Bits);
        }
    }

    /// <summary>
    /// Writes every dirty bitmap with <paramref name="write"/> (block, bits) and marks it clean, then
    /// lets go of clean bitmaps beyond <see cref="Capacity"/>. The caller holds the disk's lock: no
    /// bit changes meanwhile.
    /// </summary>
    public void WriteDirty(Action<long, ReadOnlySpan<byte>> write)
    {
        lock (_gate)
        {
            foreach (var slot in _ring)
            {
                if (!slot.Dirty) continue;
                write(slot.Block, slot.Bits);
                slot.Dirty = false;
                _dirty--;
            }
            DropPastCapacity();
        }
    }

    /// <summary>The slot holding <paramref name="block"/>'s bitmap, loaded on a miss; marked as used.</summary>
    private Slot Find(long block)
    {
        if (_index.TryGetValue(block, out var slot))
        {
            slot.Used = true;
            return slot;
        }
        slot = Place(block);
        try
        {
            _load(block, slot.Bits);
        }
        catch
        {
            _index.Remove(block);
            slot.Block = -1;
            throw;
        }
        return slot;
    }

    /// <summary>A slot for <paramref name="block"/>: a new one below capacity (or when every slot is dirty), else the clean one the hand evicts.</summary>
    private Slot Place(long block)
    {
        Slot slot;
        if (_ring.Count < Capacity || _dirty >= _ring.Count)
        {
            slot = new Slot(new byte[_bytes]);
            _ring.Add(slot);
        }
        else
        {
            slot = Victim();
            if (slot.Block >= 0) _index.Remove(slot.Block);
        }
        slot.Block = block;
        slot.Used = true;
        _index[block] = slot;
        return slot;
    }

    /// <summary>CLOCK: the first clean slot from the hand not used since the hand last passed it.</summary>
    private Slot Victim()
    {
        while (true)
        {
            var slot = _ring[_hand];
            _hand = (_hand + 1) % _ring.Count;
            if (slot.Dirty) continue;
            if (slot.Block < 0 || !slot.Used) return slot;
            slot.Used = false;
        }
    }

    /// <summary>After a flush (every slot clean): removes the slots past <see cref="Capacity"/>, the last ones.</summary>
    private void DropPastCapacity()
    {
        while (_ring.Count > Capacity)
        {
            var last = _ring[^1];
            if (last.Block >= 0) _index.Remove(last.Block);
            _ring.RemoveAt(_ring.Count - 1);
        }
        // Defensive: past Capacity only the last slot can be clean, and a victim there wraps the hand to 0.
        if (_hand >= _ring.Count) _hand = 0;
    }

    private sealed class Slot(byte[] bits)
    {
        public byte[] Bits { get; } = bits;
        public long Block { get; set; } = -1;
        public bool Used { get; set; }
        public bool Dirty { get; set; }
    }
}
