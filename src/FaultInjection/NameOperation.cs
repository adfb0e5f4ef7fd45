namespace Storage.FaultInjection;

/// <summary>What a pending change of a directory entry did.</summary>
internal enum NameOperationKind
{
    /// <summary>A new file got its name.</summary>
    Create,

    /// <summary>A file's name moved (it may replace the file at the destination).</summary>
    Rename,

    /// <summary>A file's name went.</summary>
    Delete,
}

/// <summary>
/// One change of a directory entry since its directory's last fsync. Names point at files by
/// identity (the <see cref="SimDisk"/>), so any subset of pending changes applied in order gives a
/// well-defined set of names: a rename or delete only takes a name away from the file it names.
/// </summary>
/// <param name="Kind">What changed.</param>
/// <param name="Path">The name created or deleted, or the source of a rename (full path).</param>
/// <param name="Destination">The destination of a rename, else null.</param>
/// <param name="Disk">The file the name points at.</param>
/// <param name="Sequence">Global order among all pending changes, contents included.</param>
/// <param name="OperationIndex">The counted operation that made the change (-1 when none).</param>
internal sealed record NameOperation(NameOperationKind Kind, string Path, string? Destination, SimDisk Disk, long Sequence, long OperationIndex)
{
    /// <summary>True when the change is an entry of <paramref name="directory"/> (a rename is an entry of both its directories).</summary>
    internal bool Touches(string directory, Func<string, string?> parentOf, StringComparison comparison) =>
        string.Equals(parentOf(Path), directory, comparison)
        || (Destination is not null && string.Equals(parentOf(Destination), directory, comparison));

    /// <summary>Applies this change to <paramref name="names"/> (path to file).</summary>
    internal void ApplyTo<T>(Dictionary<string, T> names, T file)
        where T : notnull
    {
        switch (Kind)
        {
            case NameOperationKind.Create:
                names[Path] = file;
                break;
            case NameOperationKind.Rename:
                RemoveIfNames(names, Path, file);
                names[Destination!] = file;
                break;
            default:
                RemoveIfNames(names, Path, file);
                break;
        }
    }

    private static void RemoveIfNames<T>(Dictionary<string, T> names, string path, T file)
        where T : notnull
    {
        if (names.TryGetValue(path, out T? current) && EqualityComparer<T>.Default.Equals(current, file))
        {
            names.Remove(path);
        }
    }
}
