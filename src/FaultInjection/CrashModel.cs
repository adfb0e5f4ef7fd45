namespace Storage.FaultInjection;

/// <summary>
/// The pending epoch of a set of disks, flattened into one ordered list of operations and
/// pieces (see <see cref="CrashState"/> for the model). Built on demand and used at once: it
/// reads the disks' live durable maps, so it must not outlive the next change to them.
/// </summary>
internal sealed class CrashModel
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

    internal List<CrashState> Exhaustive()
    {
        if (PieceCount > CrashStates.MaxExhaustivePieces)
        {
            throw new InvalidOperationException(
                $"The pending epoch has {PieceCount} pieces; exhaustive enumeration is limited to {CrashStates.MaxExhaustivePieces}. Use ALICE-style or sampled states.");
        }

        var states = new List<CrashState>(1 << PieceCount);
        var bits = new char[PieceCount];
        for (int mask = 0; mask < 1 << PieceCount; mask++)
        {
            for (int i = 0; i < PieceCount; i++)
            {
                bits[i] = (mask >> i & 1) == 1 ? '1' : '0';
            }

            states.Add(CrashState.Explicit(Epoch, new string(bits)));
        }

        return states;
    }

    internal List<CrashState> Alice()
    {
        var states = new List<CrashState>();
        for (int n = 0; n <= _ops.Count; n++)
        {
            states.Add(CrashState.Prefix(Epoch, n));
        }

        for (int k = 0; k < _ops.Count; k++)
        {
            states.Add(CrashState.Drop(Epoch, k));
        }

        for (int k = 0; k < _ops.Count; k++)
        {
            AddTears(states, k);
        }

        if (_ops.Any(e => e.HasMeta))
        {
            states.Add(CrashState.MetadataOnly(Epoch));
        }

        return states;
    }

    internal List<CrashState> Enumerate() => PieceCount <= CrashStates.ExhaustiveThreshold ? Exhaustive() : Alice();

    internal List<CrashState> Sample(int seed, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var states = new List<CrashState>(count);
        for (int i = 0; i < count; i++)
        {
            states.Add(CrashState.Sampled(Epoch, seed, i));
        }

        return states;
    }

    /// <summary>Which pieces persist in <paramref name="state"/>.</summary>
    internal bool[] Resolve(CrashState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Epoch != Epoch)
        {
            throw new ArgumentException(
                $"Crash state {state} belongs to epoch {state.Epoch}, but the pending epoch here is E{Epoch}: replay it at the same crash point of the same workload.",
                nameof(state));
        }

        var applied = new bool[PieceCount];
        switch (state.Kind)
        {
            case CrashStateKind.Prefix:
                ResolvePrefix(state, applied);
                break;
            case CrashStateKind.Drop:
                ResolveDrop(state, applied);
                break;
            case CrashStateKind.Tear:
                ResolveTear(state, applied);
                break;
            case CrashStateKind.MetadataOnly:
                ResolveMetadataOnly(applied);
                break;
            case CrashStateKind.Explicit:
                ResolveExplicit(state, applied);
                break;
            case CrashStateKind.Sampled:
                ResolveSampled(state, applied);
                break;
            default:
                throw new ArgumentException($"Unknown crash state kind {state.Kind}.", nameof(state));
        }

        return applied;
    }

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

    private void ResolvePrefix(CrashState state, bool[] applied)
    {
        RequireOperation(state, state.Operation, inclusiveEnd: true);
        for (int k = 0; k < state.Operation; k++)
        {
            Apply(applied, _ops[k]);
        }
    }

    private void ResolveDrop(CrashState state, bool[] applied)
    {
        RequireOperation(state, state.Operation, inclusiveEnd: false);
        for (int k = 0; k < _ops.Count; k++)
        {
            if (k != state.Operation)
            {
                Apply(applied, _ops[k]);
            }
        }
    }

    private void ResolveTear(CrashState state, bool[] applied)
    {
        RequireOperation(state, state.Operation, inclusiveEnd: false);
        Entry torn = _ops[state.Operation];
        if (torn.Op?.Kind != PendingKind.Write || state.Variant >= 3 + torn.SectorCount)
        {
            throw new ArgumentException(
                $"Crash state {state}: operation {state.Operation} is a {KindOf(torn)} with {torn.SectorCount} sectors; tear variants go from 0 to {2 + torn.SectorCount} on writes only.",
                nameof(state));
        }

        for (int k = 0; k < state.Operation; k++)
        {
            Apply(applied, _ops[k]);
        }

        if (torn.HasMeta)
        {
            applied[torn.PieceStart] = true;
        }

        int half = torn.SectorCount / 2;
        (int from, int to) = state.Variant switch
        {
            0 => (0, 0),
            1 => (0, half),
            2 => (half, torn.SectorCount),
            _ => (state.Variant - 3, state.Variant - 2),
        };
        for (int i = from; i < to; i++)
        {
            applied[torn.SectorStart + i] = true;
        }
    }

    private void ResolveMetadataOnly(bool[] applied)
    {
        foreach (Entry entry in _ops.Where(e => e.HasMeta))
        {
            applied[entry.PieceStart] = true;
        }
    }

    private void ResolveExplicit(CrashState state, bool[] applied)
    {
        if (state.Pieces!.Length != PieceCount)
        {
            throw new ArgumentException(
                $"Crash state {state} has {state.Pieces.Length} pieces, but the pending epoch has {PieceCount}: replay it at the same crash point of the same workload.",
                nameof(state));
        }

        for (int i = 0; i < PieceCount; i++)
        {
            applied[i] = state.Pieces[i] == '1';
        }
    }

    private void ResolveSampled(CrashState state, bool[] applied)
    {
        var random = new SplitMix64(SplitMix64.Mix(state.Seed, state.Operation));
        double keep = random.NextDouble();
        for (int i = 0; i < PieceCount; i++)
        {
            applied[i] = random.NextDouble() < keep;
        }
    }

    /// <summary>ALICE-style tears of write <paramref name="k"/>; variants equal to a prefix state are skipped.</summary>
    private void AddTears(List<CrashState> states, int k)
    {
        Entry entry = _ops[k];
        if (entry.Op?.Kind != PendingKind.Write)
        {
            return;
        }

        int m = entry.SectorCount;
        // "No sector" only matters when the write also moved the length, halves only when there are two, singles from three.
        if (entry.HasMeta)
        {
            states.Add(CrashState.Tear(Epoch, k, 0));
        }

        if (m >= 2)
        {
            states.Add(CrashState.Tear(Epoch, k, 1));
            states.Add(CrashState.Tear(Epoch, k, 2));
        }

        if (m >= 3)
        {
            for (int j = 0; j < Math.Min(m, CrashStates.TearSectorLimit); j++)
            {
                states.Add(CrashState.Tear(Epoch, k, 3 + j));
            }
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

    private void RequireOperation(CrashState state, int operation, bool inclusiveEnd)
    {
        int limit = inclusiveEnd ? _ops.Count : _ops.Count - 1;
        if (operation > limit)
        {
            throw new ArgumentException(
                $"Crash state {state} names operation {operation}, but the pending epoch has {_ops.Count} operations: replay it at the same crash point of the same workload.",
                nameof(state));
        }
    }

    /// <summary>A file's pending change (<paramref name="Op"/>) or a name change (<paramref name="Name"/>), with its pieces.</summary>
    private readonly record struct Entry(int File, PendingOperation? Op, NameOperation? Name, int PieceStart, bool HasMeta, int SectorStart, int SectorCount);
}
