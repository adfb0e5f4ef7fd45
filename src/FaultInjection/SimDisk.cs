namespace Storage.FaultInjection;

/// <summary>
/// The simulated contents of one file: its durable bytes (the state after the last
/// <see cref="Flush"/>, the equivalent of <c>Flush(true)</c>/fsync) plus the ordered list of
/// operations since then. Reads see the volatile view: durable state with every pending
/// operation applied in order.
/// </summary>
/// <remarks>
/// <para>
/// Storage is sparse, in 512-byte sectors: a sector never written reads as zeros and costs
/// nothing, so a multi-GiB <see cref="SetLength(long)"/> is cheap. Sector arrays that reach the durable
/// map or a pending snapshot are never mutated again (writes copy first), which lets crash
/// images share them.
/// </para>
/// <para>Not thread-safe: <see cref="FaultFileSystem"/> serializes access under its own lock.</para>
/// </remarks>
public sealed partial class SimDisk
{
    /// <summary>The atomic unit of the crash model, in bytes.</summary>
    public const int SectorSize = 512;

    // Shared by truncation snapshots; never mutated (writers copy durable and snapshot arrays first).
    private static readonly byte[] ZeroSector = new byte[SectorSize];

    // Orders operations across disks so a multi-file crash model sees the real interleaving.
    private static long s_sequence;

    private readonly Dictionary<long, byte[]> _durable;
    // Sectors changed since the durability point; a null value means "zeroed by a truncation"
    // and shadows a durable sector.
    private readonly Dictionary<long, byte[]?> _overlay = [];
    private readonly List<PendingOperation> _pending = [];
    private long _durableLength;
    private long _length;
    private CrashModel? _model;

    /// <summary>Creates an empty file whose existence is already durable.</summary>
    public SimDisk()
        : this([], 0, isNew: false)
    {
    }

    internal SimDisk(Dictionary<long, byte[]> durable, long length, bool isNew)
    {
        _durable = durable;
        _durableLength = length;
        _length = length;
        if (isNew)
        {
            IsNew = true;
            _pending.Add(new PendingOperation(PendingKind.Create, NextSequence(), 0, 0, 0, 0, 0, []));
        }
    }

    private SimDisk(Dictionary<long, byte[]> durable, long durableLength, List<PendingOperation> pending, bool isNew, int epoch)
    {
        _durable = durable;
        _durableLength = durableLength;
        _length = durableLength;
        _pending = pending;
        IsNew = isNew;
        Epoch = epoch;
    }

    /// <summary>Creates a file that was just created: until its first <see cref="Flush"/> a crash may lose it entirely.</summary>
    /// <returns>An empty disk whose existence is pending.</returns>
    public static SimDisk CreateNew() => new([], 0, isNew: true);

    /// <summary>Creates a file whose durable contents are <paramref name="contents"/> (all-zero sectors are not stored).</summary>
    /// <param name="contents">The durable bytes.</param>
    /// <returns>A disk with no pending operations.</returns>
    public static SimDisk FromBytes(ReadOnlySpan<byte> contents)
    {
        var disk = new SimDisk();
        disk.SeedDurable(0, contents);
        disk._durableLength = disk._length = contents.Length;
        return disk;
    }

    /// <summary>The length of the volatile view.</summary>
    public long Length => _length;

    /// <summary>The length as of the last durability point.</summary>
    public long DurableLength => _durableLength;

    /// <summary>
    /// True while the file's creation is pending (created with <see cref="CreateNew"/> and never flushed): a crash may remove it.
    /// Only for a disk used alone: in a <see cref="FaultFileSystem"/>, whether a file survives is up to its name, which its directory's fsync makes durable.
    /// </summary>
    public bool IsNew { get; private set; }

    /// <summary>How many durability points (<see cref="Flush"/> calls) this disk has passed.</summary>
    public int Epoch { get; private set; }

    /// <summary>Number of operations since the last durability point (the pending epoch), a pending creation included.</summary>
    public int PendingOperationCount => _pending.Count;

    /// <summary>
    /// Number of crash-model pieces in the pending epoch: one per pending creation, one per
    /// length change, one per 512-byte sector of each pending write.
    /// </summary>
    public int PendingPieceCount => Model().PieceCount;

    /// <summary>Set when a crash image replaced this disk inside a <see cref="FaultFileSystem"/>; streams on it then fail.</summary>
    internal bool Retired { get; set; }

    internal IReadOnlyList<PendingOperation> Pending => _pending;

    internal Dictionary<long, byte[]> DurableSectors => _durable;

    /// <summary>Bumped by every change, so crash models built from this disk can be cached until it changes.</summary>
    internal long Version { get; private set; }

    /// <summary>Reads from the volatile view. Bytes past <see cref="Length"/> are not returned; unwritten ranges read as zeros.</summary>
    /// <param name="offset">File offset, not negative.</param>
    /// <param name="buffer">Destination.</param>
    /// <returns>The number of bytes read: less than the buffer only at end of file.</returns>
    public int Read(long offset, Span<byte> buffer)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (offset >= _length || buffer.IsEmpty)
        {
            return 0;
        }

        int count = (int)Math.Min(buffer.Length, _length - offset);
        int done = 0;
        while (done < count)
        {
            long position = offset + done;
            long sector = position / SectorSize;
            int start = (int)(position % SectorSize);
            int n = Math.Min(SectorSize - start, count - done);
            byte[]? data = VolatileSector(sector);
            if (data is null)
            {
                buffer.Slice(done, n).Clear();
            }
            else
            {
                data.AsSpan(start, n).CopyTo(buffer.Slice(done, n));
            }

            done += n;
        }

        return count;
    }

    /// <summary>Writes into the volatile view, growing the file if the write ends past it (a gap reads as zeros).</summary>
    /// <param name="offset">File offset, not negative.</param>
    /// <param name="data">Bytes to write; an empty span is ignored.</param>
    public void Write(long offset, ReadOnlySpan<byte> data) => Write(offset, data, -1, null);

    /// <summary>Changes the volatile length. Shrinking discards the bytes past the new end; growing adds zeros without allocating.</summary>
    /// <param name="length">The new length, not negative.</param>
    public void SetLength(long length) => SetLength(length, -1, null);

    /// <summary><see cref="Write(long, ReadOnlySpan{byte})"/>, remembering the file system operation that did it and the file's name then (for crash descriptions).</summary>
    internal void Write(long offset, ReadOnlySpan<byte> data, long operationIndex, string? path)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (data.IsEmpty)
        {
            return;
        }

        long end = checked(offset + data.Length);
        long before = _length;
        long first = offset / SectorSize;
        long last = (end - 1) / SectorSize;
        var snapshots = new byte[last - first + 1][];
        int source = 0;
        for (long sector = first; sector <= last; sector++)
        {
            byte[] target = WritableSector(sector);
            int start = sector == first ? (int)(offset % SectorSize) : 0;
            int n = Math.Min(SectorSize - start, data.Length - source);
            data.Slice(source, n).CopyTo(target.AsSpan(start, n));
            source += n;
            snapshots[sector - first] = (byte[])target.Clone();
        }

        _length = Math.Max(_length, end);
        Version++;
        _pending.Add(new PendingOperation(PendingKind.Write, NextSequence(), offset, data.Length, before, _length, first, snapshots) { OperationIndex = operationIndex, Path = path });
    }

    /// <summary><see cref="SetLength(long)"/>, remembering the file system operation that did it and the file's name then.</summary>
    internal void SetLength(long length, long operationIndex, string? path)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length == _length)
        {
            // A no-op has nothing a crash could lose, so it does not enter the pending epoch.
            return;
        }

        long before = _length;
        long[] cut = [];
        byte[][] snapshots = [];
        if (length < _length)
        {
            // The sectors holding data past the new end are zeroed by the cut: they become crash
            // pieces, or a crash that keeps everything could resurrect data after a regrow.
            long firstCut = length / SectorSize;
            cut = VolatileSectorIndexes().Where(s => s >= firstCut).ToArray();
            ZeroFrom(length);
            snapshots = cut.Select(s => s * SectorSize < length ? (byte[])(VolatileSector(s) ?? ZeroSector).Clone() : ZeroSector).ToArray();
        }

        _length = length;
        Version++;
        _pending.Add(new PendingOperation(PendingKind.SetLength, NextSequence(), length, 0, before, length, 0, snapshots, cut) { OperationIndex = operationIndex, Path = path });
    }

    /// <summary>The durability point (what <c>Flush(true)</c> does on a stream): every pending operation becomes durable and a new epoch starts.</summary>
    public void Flush()
    {
        foreach (var (sector, data) in _overlay)
        {
            if (data is null)
            {
                _durable.Remove(sector);
            }
            else
            {
                // Ownership moves to the durable map: from here on the array is never mutated.
                _durable[sector] = data;
            }
        }

        _overlay.Clear();
        _pending.Clear();
        _durableLength = _length;
        IsNew = false;
        Epoch++;
        Version++;
    }

    /// <summary>Copies the whole volatile view. Only for files that fit in an array.</summary>
    /// <returns>The bytes a reader sees now.</returns>
    public byte[] ToArray()
    {
        var result = new byte[checked((int)_length)];
        Read(0, result);
        return result;
    }

    /// <summary>Copies the durable contents (the state after the last <see cref="Flush"/>). Only for files that fit in an array.</summary>
    /// <returns>The bytes a crash with every pending operation lost would leave.</returns>
    public byte[] ToDurableArray()
    {
        var result = new byte[checked((int)_durableLength)];
        foreach (var (sector, data) in _durable)
        {
            long offset = sector * SectorSize;
            int n = (int)Math.Min(SectorSize, _durableLength - offset);
            if (n > 0)
            {
                data.AsSpan(0, n).CopyTo(result.AsSpan((int)offset));
            }
        }

        return result;
    }

    /// <summary>Sector indexes holding data in the volatile view (ascending); other sectors read as zeros.</summary>
    internal List<long> VolatileSectorIndexes()
    {
        long limit = (_length + SectorSize - 1) / SectorSize;
        var result = new List<long>();
        foreach (var (sector, data) in _overlay)
        {
            if (data is not null && sector < limit)
            {
                result.Add(sector);
            }
        }

        foreach (long sector in _durable.Keys)
        {
            if (sector < limit && !_overlay.ContainsKey(sector))
            {
                result.Add(sector);
            }
        }

        result.Sort();
        return result;
    }

    /// <summary>Puts bytes straight into the durable state; used to seed a disk from an existing file.</summary>
    internal void SeedDurable(long offset, ReadOnlySpan<byte> data)
    {
        int done = 0;
        while (done < data.Length)
        {
            long position = offset + done;
            long sector = position / SectorSize;
            int start = (int)(position % SectorSize);
            int n = Math.Min(SectorSize - start, data.Length - done);
            ReadOnlySpan<byte> piece = data.Slice(done, n);
            if (piece.ContainsAnyExcept((byte)0) || _durable.ContainsKey(sector))
            {
                if (!_durable.TryGetValue(sector, out byte[]? target))
                {
                    target = new byte[SectorSize];
                    _durable[sector] = target;
                }

                piece.CopyTo(target.AsSpan(start));
            }

            done += n;
        }

        Version++;
    }

    internal void SetDurableLength(long length)
    {
        _durableLength = _length = length;
        Version++;
    }

    /// <summary>The next number of the global order of pending changes (contents and names).</summary>
    internal static long NextSequence() => Interlocked.Increment(ref s_sequence);

    private byte[]? VolatileSector(long sector)
    {
        if (_overlay.TryGetValue(sector, out byte[]? changed))
        {
            return changed;
        }

        return _durable.TryGetValue(sector, out byte[]? durable) ? durable : null;
    }

    private byte[] WritableSector(long sector)
    {
        if (_overlay.TryGetValue(sector, out byte[]? changed) && changed is not null)
        {
            return changed;
        }

        // Durable arrays are shared with snapshots and crash images: copy before writing.
        byte[] fresh = !_overlay.ContainsKey(sector) && _durable.TryGetValue(sector, out byte[]? durable)
            ? (byte[])durable.Clone()
            : new byte[SectorSize];
        _overlay[sector] = fresh;
        return fresh;
    }

    private void ZeroFrom(long cut)
    {
        long firstWhole = (cut + SectorSize - 1) / SectorSize;
        foreach (long sector in _overlay.Keys.Where(s => s >= firstWhole).ToList())
        {
            if (_durable.ContainsKey(sector))
            {
                _overlay[sector] = null;
            }
            else
            {
                _overlay.Remove(sector);
            }
        }

        foreach (long sector in _durable.Keys)
        {
            if (sector >= firstWhole)
            {
                _overlay[sector] = null;
            }
        }

        int tail = (int)(cut % SectorSize);
        if (tail != 0 && VolatileSector(cut / SectorSize) is not null)
        {
            // Bytes past the end must read as zeros if the file grows again.
            WritableSector(cut / SectorSize).AsSpan(tail).Clear();
        }
    }
}
