namespace Storage.FaultInjection;

/// <summary>
/// The pending epoch of a set of disks, flattened into one ordered list of operations and
/// pieces (see <see cref="CrashState"/> for the model). Built on demand and used at once: it
/// reads the disks' live durable maps, so it must not outlive the next change to them.
/// </summary>
internal sealed partial class CrashModel
{
    private readonly IReadOnlyList<(string Path, SimDisk Disk)> _files;
    private readonly NameSnapshot? _names;
    private readonly List<Entry> _ops = [];

    /// <summary>Builds the model of <paramref name="files"/>' pending epochs and, for a file system, of its pending name changes.</summary>
    /// <param name="epoch">Durability points passed.</param>
    /// <param name="files">Every file (a file system's: every file some name points at, or some pending change touches).</param>
    /// <param name="version">The owner's change counter (a cache key).</param>
    /// <param name="names">Durable names and pending name changes, by file index; null for disks without names.</param>
    internal CrashModel(int epoch, IReadOnlyList<(string Path, SimDisk Disk)> files, long version = 0, NameSnapshot? names = null)
    {
        Epoch = epoch;
        Version = version;
        _files = files;
        _names = names;
        var all = new List<(long Sequence, int File, PendingOperation? Op, NameOperation? Name)>();
        for (int f = 0; f < files.Count; f++)
        {
            foreach (PendingOperation op in files[f].Disk.Pending)
            {
                all.Add((op.Sequence, f, op, null));
            }
        }

        foreach (var (op, file) in names?.Pending ?? [])
        {
            all.Add((op.Sequence, file, null, op));
        }

        all.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        int piece = 0;
        foreach (var (_, file, op, name) in all)
        {
            bool meta = name is not null || op!.Kind == PendingKind.Create || op.ChangesLength;
            int sectors = op?.Snapshots.Length ?? 0;
            _ops.Add(new Entry(file, op, name, piece, meta, piece + (meta ? 1 : 0), sectors));
            piece += (meta ? 1 : 0) + sectors;
        }

        PieceCount = piece;
    }

    internal int Epoch { get; }

    /// <summary>The owner's change counter when this model was built; a cache key.</summary>
    internal long Version { get; }

    internal int OperationCount => _ops.Count;

    internal int PieceCount { get; }

    internal IReadOnlyList<(string Path, SimDisk Disk)> Files => _files;

    /// <summary>True when names are modelled (a file system's model): <see cref="MaterializeNames"/> says which files survive, under which names.</summary>
    internal bool HasNames => _names is not null;

    internal SimDisk?[] Materialize(CrashState state) => Materialize(Resolve(state));

    /// <summary>The names after a crash that keeps <paramref name="applied"/>: full path to file index (durable names, then kept changes in order).</summary>
    internal Dictionary<string, int> MaterializeNames(bool[] applied)
    {
        var names = new Dictionary<string, int>(_names!.Durable, SimulationState.PathComparer);
        foreach (Entry entry in _ops)
        {
            if (entry.Name is { } name && applied[entry.PieceStart])
            {
                name.ApplyTo(names, entry.File);
            }
        }

        return names;
    }

    /// <summary>Each pending change and what <paramref name="state"/> keeps of it.</summary>
    internal List<PendingChange> Describe(CrashState state)
    {
        bool[] applied = Resolve(state);
        var changes = new List<PendingChange>(_ops.Count);
        for (int k = 0; k < _ops.Count; k++)
        {
            Entry e = _ops[k];
            var pieces = new char[(e.HasMeta ? 1 : 0) + e.SectorCount];
            for (int i = 0; i < pieces.Length; i++)
            {
                pieces[i] = applied[e.PieceStart + i] ? '1' : '0';
            }

            changes.Add(Change(k, e, new string(pieces)));
        }

        return changes;
    }

    /// <summary>This model over frozen copies of its files: later changes of the live files do not reach it.</summary>
    internal CrashModel Freeze() => new(Epoch, _files.Select(f => (f.Path, f.Disk.Freeze())).ToList(), Version, _names);

    /// <summary>The post-crash image of every file (null when a new file does not survive); every image is fully durable.</summary>
    internal SimDisk?[] Materialize(bool[] applied)
    {
        int count = _files.Count;
        var lengths = new long[count];
        var exists = new bool[count];
        var sectors = new Dictionary<long, byte[]>?[count];
        for (int f = 0; f < count; f++)
        {
            lengths[f] = _files[f].Disk.DurableLength;
            exists[f] = !_files[f].Disk.IsNew;
        }

        foreach (Entry entry in _ops)
        {
            ApplyEntry(entry, applied, lengths, exists, sectors);
        }

        var result = new SimDisk?[count];
        for (int f = 0; f < count; f++)
        {
            if (!exists[f])
            {
                continue;
            }

            var map = sectors[f] ?? new Dictionary<long, byte[]>(_files[f].Disk.DurableSectors);
            Trim(map, lengths[f]);
            result[f] = new SimDisk(map, lengths[f], isNew: false);
        }

        return result;
    }

    private static void Trim(Dictionary<long, byte[]> map, long length)
    {
        long firstWhole = (length + SimDisk.SectorSize - 1) / SimDisk.SectorSize;
        foreach (long sector in map.Keys.Where(s => s >= firstWhole).ToList())
        {
            map.Remove(sector);
        }

        int tail = (int)(length % SimDisk.SectorSize);
        long partial = length / SimDisk.SectorSize;
        if (tail != 0 && map.TryGetValue(partial, out byte[]? data) && data.AsSpan(tail).ContainsAnyExcept((byte)0))
        {
            // Bytes past the end read as zeros if the file later grows; the array is shared, so copy.
            var copy = (byte[])data.Clone();
            copy.AsSpan(tail).Clear();
            map[partial] = copy;
        }
    }

    /// <summary>Applies the kept pieces of one operation to the per-file lengths, existence and sector maps.</summary>
    private void ApplyEntry(Entry entry, bool[] applied, long[] lengths, bool[] exists, Dictionary<long, byte[]>?[] sectors)
    {
        int f = entry.File;
        if (entry.Op is null)
        {
            // A name change: it decides names (MaterializeNames), not contents.
            return;
        }

        if (entry.HasMeta && applied[entry.PieceStart])
        {
            if (entry.Op.Kind == PendingKind.Create)
            {
                exists[f] = true;
            }
            else
            {
                lengths[f] = entry.Op.LengthAfter;
            }
        }

        for (int i = 0; i < entry.SectorCount; i++)
        {
            if (applied[entry.SectorStart + i])
            {
                // Later operations overwrite earlier ones: with subsets this still reaches
                // every per-sector choice, since keeping only piece k yields "value after k".
                (sectors[f] ??= new Dictionary<long, byte[]>(_files[f].Disk.DurableSectors))[entry.Op.SectorAt(i)] = entry.Op.Snapshots[i];
            }
        }
    }

    private static PendingChangeKind KindOf(Entry e) => e.Name?.Kind switch
    {
        NameOperationKind.Create => PendingChangeKind.Create,
        NameOperationKind.Rename => PendingChangeKind.Rename,
        NameOperationKind.Delete => PendingChangeKind.Delete,
        _ => e.Op!.Kind switch
        {
            PendingKind.Write => PendingChangeKind.Write,
            PendingKind.SetLength => PendingChangeKind.SetLength,
            _ => PendingChangeKind.Create,
        },
    };

    private PendingChange Change(int index, Entry e, string pieces)
    {
        PendingChangeKind kind = KindOf(e);
        string path = e.Name?.Path ?? e.Op!.Path ?? _files[e.File].Path;
        long offset = e.Op is null || kind == PendingChangeKind.Create ? 0 : e.Op.Offset;
        long length = kind == PendingChangeKind.Write ? e.Op!.Count : 0;
        bool changesLength = e.Op?.ChangesLength ?? false;
        return new PendingChange(index, e.Name?.OperationIndex ?? e.Op!.OperationIndex, kind, path, e.Name?.Destination, offset, length, changesLength, pieces);
    }

    private static void Apply(bool[] applied, Entry entry) =>
        Array.Fill(applied, true, entry.PieceStart, (entry.HasMeta ? 1 : 0) + entry.SectorCount);

    /// <summary>A file's pending change (<paramref name="Op"/>) or a name change (<paramref name="Name"/>), with its pieces.</summary>
    private readonly record struct Entry(int File, PendingOperation? Op, NameOperation? Name, int PieceStart, bool HasMeta, int SectorStart, int SectorCount);
}
