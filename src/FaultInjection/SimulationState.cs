using System.IO.Abstractions;

namespace Storage.FaultInjection;

/// <summary>
/// The state a <see cref="FaultFileSystem"/> simulates, shared by the types that work on it
/// (<see cref="FileContents"/>, <see cref="FileNamespace"/>, <see cref="CrashImaging"/>): the
/// simulated files by full path, the durability epoch, the crash generation, and the operation log.
/// One lock, <see cref="Gate"/>, guards all of it; every member here expects it held.
/// </summary>
internal sealed class SimulationState
{
    /// <summary>Chunk size for copying file contents (seeding, sparse copies).</summary>
    internal const int CopyChunk = 1 << 20;

    internal SimulationState(IFileSystem inner)
    {
        Inner = inner;
        Disks = new Dictionary<string, SimDisk>(PathComparer);
        Names = new NameJournal(ParentOf, PathComparer, PathComparison);
        Shares = new FileShares(this);
        Handles = new HandleTable(this);
    }

    internal static StringComparer PathComparer => OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

    internal static StringComparison PathComparison => OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    internal Lock Gate { get; } = new();

    /// <summary>The file system that holds names.</summary>
    internal IFileSystem Inner { get; }

    /// <summary>Simulated contents by full path.</summary>
    internal Dictionary<string, SimDisk> Disks { get; }

    /// <summary>Which names are durable, and the name changes still pending.</summary>
    internal NameJournal Names { get; }

    internal OperationLog Log { get; } = new();

    /// <summary>Which open streams hold which file, with what access and share (the sharing model).</summary>
    internal FileShares Shares { get; }

    /// <summary>The handles opened (<c>File.OpenHandle</c>) and not yet seen closed.</summary>
    internal HandleTable Handles { get; }

    /// <summary>Durability points passed (successful <c>Flush(true)</c> calls and syncs).</summary>
    internal int Epoch { get; set; }

    /// <summary>Bumped by every applied crash: streams opened in an earlier generation fail.</summary>
    internal int Generation { get; set; }

    /// <summary>Bumped by every change of the file map (a cache key of the crash model, with the disks' versions).</summary>
    internal long MapVersion { get; set; }

    /// <summary>How deep the current thread is inside <c>FlushingToDisk</c> handlers.</summary>
    internal int CallbackDepth { get; set; }

    internal string Normalize(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Inner.Path.GetFullPath(path);
    }

    /// <summary>The directory holding <paramref name="full"/>, or null for a root.</summary>
    internal string? ParentOf(string full) => Inner.Path.GetDirectoryName(full);

    /// <summary>Counts one operation in the log (the plan may fail it) and invalidates the cached crash model.</summary>
    /// <returns>The operation's index.</returns>
    internal long Count(FaultOperationKind kind, string path, long offset = 0, long length = 0, long growTo = -1)
    {
        // Every lock section that changes the file map counts an operation (or bumps the version
        // itself, as an applied crash does), which invalidates the cached crash model.
        MapVersion++;
        return Log.Count(kind, path, offset, length, growTo);
    }

    internal void CheckGeneration(int generation, string path)
    {
        if (generation != Generation)
        {
            throw new IOException($"The file system crashed after '{path}' was opened; reopen the file.");
        }
    }

    /// <summary>The simulated file at <paramref name="full"/>, seeded from the inner file system if it is not simulated yet; null when there is none.</summary>
    internal SimDisk? Find(string full) =>
        Disks.GetValueOrDefault(full) ?? (Inner.File.Exists(full) ? Seed(full) : null);

    /// <summary>Loads an existing inner file as durable contents (its name durable too), storing only non-zero sectors.</summary>
    internal SimDisk Seed(string full)
    {
        var disk = new SimDisk();
        using (FileSystemStream stream = Inner.File.OpenRead(full))
        {
            var buffer = new byte[CopyChunk];
            long offset = 0;
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                disk.SeedDurable(offset, buffer.AsSpan(0, read));
                offset += read;
            }

            disk.SetDurableLength(offset);
        }

        Disks[full] = disk;
        Names.Durable[full] = disk;
        return disk;
    }

    /// <summary>Simulated paths under <paramref name="directory"/> (at any depth).</summary>
    internal List<string> KeysUnder(string directory)
    {
        string prefix = WithSeparator(directory);
        return Disks.Keys.Where(k => k.StartsWith(prefix, PathComparison)).ToList();
    }

    internal string WithSeparator(string directory) =>
        directory.EndsWith(Inner.Path.DirectorySeparatorChar) ? directory : directory + Inner.Path.DirectorySeparatorChar;
}
