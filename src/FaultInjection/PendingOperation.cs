namespace Storage.FaultInjection;

/// <summary>What a pending (not yet durable) operation on a <see cref="SimDisk"/> did.</summary>
internal enum PendingKind
{
    /// <summary>The file was created in this epoch; its existence is not durable yet.</summary>
    Create,

    /// <summary>Bytes were written.</summary>
    Write,

    /// <summary>The length was changed explicitly (SetLength or a truncating open).</summary>
    SetLength,
}

/// <summary>
/// One operation since the last durability point. Immutable: the crash model shares these
/// objects (and their sector snapshots) between the live disk and every materialized image.
/// </summary>
/// <remarks>
/// A write keeps, per 512-byte sector it touched, the whole sector as it stood right after the
/// write ("the value after write k"); a shrinking length change keeps, per sector it cut that held
/// data, the sector after the cut (zeros, or the zero-tailed partial sector), since regrowing the file
/// must then read zeros there. The crash model picks per sector either the durable value
/// or one of these snapshots, which is exactly the "sectors are atomic, writes reach the disk in
/// any order" rule; keeping snapshots instead of raw bytes makes materialization a selection.
/// </remarks>
internal sealed class PendingOperation
{
    internal PendingOperation(PendingKind kind, long sequence, long offset, long count, long lengthBefore, long lengthAfter, long firstSector, byte[][] snapshots, long[]? sectors = null)
    {
        _sectors = sectors;
        Kind = kind;
        Sequence = sequence;
        Offset = offset;
        Count = count;
        LengthBefore = lengthBefore;
        LengthAfter = lengthAfter;
        FirstSector = firstSector;
        Snapshots = snapshots;
    }

    internal PendingKind Kind { get; }

    /// <summary>Global order across all disks, so a multi-file crash model can interleave epochs.</summary>
    internal long Sequence { get; }

    /// <summary>Write offset, or the new length for <see cref="PendingKind.SetLength"/>.</summary>
    internal long Offset { get; }

    /// <summary>Bytes written (0 for other kinds).</summary>
    internal long Count { get; }

    internal long LengthBefore { get; }

    /// <summary>The file system's counted operation that made this change (-1 for a disk used alone).</summary>
    internal long OperationIndex { get; init; } = -1;

    /// <summary>The file's full path when the change was made (null for a disk used alone).</summary>
    internal string? Path { get; init; }

    internal long LengthAfter { get; }

    /// <summary>True when this operation changed the file length, i.e. it owns a "length piece".</summary>
    internal bool ChangesLength => Kind != PendingKind.Create && LengthAfter != LengthBefore;

    internal long FirstSector { get; }

    /// <summary>Per touched sector, its full 512 bytes right after this operation.</summary>
    internal byte[][] Snapshots { get; }

    // Null for writes (their sectors are contiguous from FirstSector); a truncation lists the
    // sparse sectors it zeroed.
    private readonly long[]? _sectors;

    /// <summary>The sector index of snapshot <paramref name="i"/>.</summary>
    internal long SectorAt(int i) => _sectors is null ? FirstSector + i : _sectors[i];
}
