namespace Storage.FaultInjection;

/// <summary>
/// What a <see cref="FaultFileSystem"/> does with names: deleting, moving, copying and replacing
/// files, deleting and moving directories. The inner file system changes the names; the simulated
/// contents follow them, and the <see cref="NameJournal"/> records each file name change as pending
/// until its directory is fsynced. Each is counted, traced and subject to the plan.
/// </summary>
/// <remarks>
/// A file that is not simulated yet is seeded before its name changes, so a crash that loses the
/// change can bring the old file back.
/// </remarks>
internal sealed class FileNamespace(SimulationState state)
{
    internal void DeleteFile(string path)
    {
        string full = state.Normalize(path);
        lock (state.Gate)
        {
            SimDisk? disk = state.Find(full);
            long index = state.Count(FaultOperationKind.Delete, full);
            state.Inner.File.Delete(full);
            // Open streams keep the orphaned disk, like an unlinked file on Unix.
            if (disk is not null && state.Disks.Remove(full))
            {
                state.Names.Record(NameOperationKind.Delete, full, null, disk, index);
            }
        }
    }

    internal void MoveFile(string source, string destination, bool overwrite)
    {
        string from = state.Normalize(source);
        string to = state.Normalize(destination);
        lock (state.Gate)
        {
            SimDisk? disk = state.Find(from);
            if (overwrite)
            {
                state.Find(to);
            }

            long index = state.Count(FaultOperationKind.Move, from);
            state.Inner.File.Move(from, to, overwrite);
            Rename(from, to, disk, index);
        }
    }

    internal void CopyFile(string source, string destination, bool overwrite)
    {
        string from = state.Normalize(source);
        string to = state.Normalize(destination);
        lock (state.Gate)
        {
            SimDisk src = state.Find(from) ?? throw new FileNotFoundException($"Could not find file '{from}'.", from);
            long index = state.Count(FaultOperationKind.Copy, from, 0, src.Length, src.Length);
            SimDisk dst = CopyTarget(to, overwrite, index);

            // Sparse copy: only sectors holding data are written, then the length is set.
            foreach (var (offset, bytes) in SparseRuns.Of(src))
            {
                dst.Write(offset, bytes, index, to);
            }

            dst.SetLength(src.Length, index, to);
        }
    }

    internal void ReplaceFile(string source, string destination, string? backup, bool ignoreMetadataErrors)
    {
        string from = state.Normalize(source);
        string to = state.Normalize(destination);
        string? keep = backup is null ? null : state.Normalize(backup);
        lock (state.Gate)
        {
            SimDisk? disk = state.Find(from);
            SimDisk? old = state.Find(to);
            if (keep is not null)
            {
                state.Find(keep);
            }

            long index = state.Count(FaultOperationKind.Replace, from);
            state.Inner.File.Replace(from, to, keep, ignoreMetadataErrors);
            if (keep is not null)
            {
                Rename(to, keep, old, index);
            }
            else if (old is not null && state.Disks.Remove(to))
            {
                state.Names.Record(NameOperationKind.Delete, to, null, old, index);
            }

            Rename(from, to, disk, index);
        }
    }

    internal void DeleteDirectory(string path, bool recursive)
    {
        string full = state.Normalize(path);
        lock (state.Gate)
        {
            state.Count(FaultOperationKind.DeleteDirectory, full);
            state.Inner.Directory.Delete(full, recursive);
            foreach (string key in state.KeysUnder(full))
            {
                state.Disks.Remove(key);
            }

            // Directories are durable at once, and so is what goes with them.
            state.Names.RemoveUnder(state.WithSeparator(full));
        }
    }

    internal void MoveDirectory(string source, string destination)
    {
        string from = state.Normalize(source);
        string to = state.Normalize(destination);
        lock (state.Gate)
        {
            state.Count(FaultOperationKind.MoveDirectory, from);
            state.Inner.Directory.Move(from, to);
            string fromPrefix = state.WithSeparator(from);
            string toPrefix = state.WithSeparator(to);
            foreach (string key in state.KeysUnder(from))
            {
                state.Disks.Remove(key, out SimDisk? disk);
                state.Disks[toPrefix + key[fromPrefix.Length..]] = disk!;
            }

            state.Names.MoveUnder(fromPrefix, toPrefix);
        }
    }

    /// <summary>After the inner file system renamed <paramref name="from"/>: the contents follow, the change is pending.</summary>
    private void Rename(string from, string to, SimDisk? disk, long index)
    {
        state.Disks.Remove(to);
        if (disk is not null && state.Disks.Remove(from))
        {
            state.Disks[to] = disk;
            state.Names.Record(NameOperationKind.Rename, from, to, disk, index);
        }
    }

    /// <summary>The destination of a copy: the existing file truncated (when overwriting is allowed) or a new one.</summary>
    private SimDisk CopyTarget(string to, bool overwrite, long index)
    {
        SimDisk? dst = state.Find(to);
        if (dst is not null)
        {
            if (!overwrite)
            {
                throw new IOException($"The file '{to}' already exists.", unchecked((int)0x80070050));
            }

            dst.SetLength(0, index, to);
            return dst;
        }

        state.Inner.File.Create(to).Dispose();
        dst = new SimDisk();
        state.Disks[to] = dst;
        state.Names.Record(NameOperationKind.Create, to, null, dst, index);
        return dst;
    }
}
