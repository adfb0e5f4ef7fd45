namespace Storage.FaultInjection;

/// <summary>
/// The durability of names, as LazyFS and ALICE model it: creating, renaming and deleting a file
/// changes the live names at once, but the change reaches the disk only when its directory is
/// fsynced (a directory opened as a stream and <c>Flush(true)</c>ed) or at a <see cref="FaultFileSystem.Sync"/>;
/// until then a crash may keep or lose it, like any other pending piece. A file's own fsync makes its
/// contents durable, never its name. Directories themselves (creating, deleting, moving them) are durable at once.
/// </summary>
/// <remarks>Guarded by the simulation's lock.</remarks>
internal sealed class NameJournal(Func<string, string?> parentOf, StringComparer comparer, StringComparison comparison)
{
    private readonly List<NameOperation> _pending = [];

    /// <summary>The names as of the last fsync of their directories: full path to file.</summary>
    internal Dictionary<string, SimDisk> Durable { get; } = new(comparer);

    /// <summary>Changes since, in order.</summary>
    internal IReadOnlyList<NameOperation> Pending => _pending;

    internal void Record(NameOperationKind kind, string path, string? destination, SimDisk disk, long operationIndex) =>
        _pending.Add(new NameOperation(kind, path, destination, disk, SimDisk.NextSequence(), operationIndex));

    /// <summary>
    /// The fsync of <paramref name="directory"/>: every pending change of its entries becomes durable,
    /// with every earlier pending change of the same files (a rename of a file whose creation was pending
    /// carries the creation along).
    /// </summary>
    /// <returns>How many changes became durable.</returns>
    internal int SyncDirectory(string directory)
    {
        var files = new HashSet<SimDisk>(ReferenceEqualityComparer.Instance);
        var selected = new bool[_pending.Count];
        for (int i = _pending.Count - 1; i >= 0; i--)
        {
            NameOperation op = _pending[i];
            if (files.Contains(op.Disk) || op.Touches(directory, parentOf, comparison))
            {
                selected[i] = true;
                files.Add(op.Disk);
            }
        }

        return Commit(selected);
    }

    /// <summary>Every pending change becomes durable.</summary>
    internal void SyncAll() => Commit(Enumerable.Repeat(true, _pending.Count).ToArray());

    /// <summary>After a crash: the names that survived are durable, nothing is pending.</summary>
    internal void Reset(IEnumerable<KeyValuePair<string, SimDisk>> names)
    {
        _pending.Clear();
        Durable.Clear();
        foreach (var (path, disk) in names)
        {
            Durable[path] = disk;
        }
    }

    /// <summary>Names and pending changes under <paramref name="prefix"/> go at once (a deleted directory).</summary>
    internal void RemoveUnder(string prefix)
    {
        foreach (string path in Durable.Keys.Where(p => p.StartsWith(prefix, comparison)).ToList())
        {
            Durable.Remove(path);
        }

        _pending.RemoveAll(op => op.Path.StartsWith(prefix, comparison) || (op.Destination?.StartsWith(prefix, comparison) ?? false));
    }

    /// <summary>Names and pending changes under <paramref name="fromPrefix"/> move to <paramref name="toPrefix"/> at once (a moved directory).</summary>
    internal void MoveUnder(string fromPrefix, string toPrefix)
    {
        string Map(string path) => path.StartsWith(fromPrefix, comparison) ? toPrefix + path[fromPrefix.Length..] : path;
        foreach (string path in Durable.Keys.Where(p => p.StartsWith(fromPrefix, comparison)).ToList())
        {
            Durable.Remove(path, out SimDisk? disk);
            Durable[Map(path)] = disk!;
        }

        for (int i = 0; i < _pending.Count; i++)
        {
            NameOperation op = _pending[i];
            _pending[i] = op with { Path = Map(op.Path), Destination = op.Destination is null ? null : Map(op.Destination) };
        }
    }

    private int Commit(bool[] selected)
    {
        int committed = 0;
        var kept = new List<NameOperation>();
        for (int i = 0; i < _pending.Count; i++)
        {
            if (selected[i])
            {
                _pending[i].ApplyTo(Durable, _pending[i].Disk);
                committed++;
            }
            else
            {
                kept.Add(_pending[i]);
            }
        }

        _pending.Clear();
        _pending.AddRange(kept);
        return committed;
    }
}
