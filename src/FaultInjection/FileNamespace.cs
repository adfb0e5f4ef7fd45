namespace Storage.FaultInjection;

/// <summary>
/// What a <see cref="FaultFileSystem"/> does with names: deleting, moving, copying and replacing
/// files, deleting and moving directories. The inner file system changes the names; the simulated
/// contents follow them. Each is counted, traced and subject to the plan.
/// </summary>
internal sealed class FileNamespace(SimulationState state)
{
    internal void DeleteFile(string path)
    {
        string full = state.Normalize(path);
        lock (state.Gate)
        {
            state.Count(FaultOperationKind.Delete, full);
            state.Inner.File.Delete(full);
            // Open streams keep the orphaned disk, like an unlinked file on Unix.
            state.Disks.Remove(full);
        }
    }

    internal void MoveFile(string source, string destination, bool overwrite)
    {
        string from = state.Normalize(source);
        string to = state.Normalize(destination);
        lock (state.Gate)
        {
            state.Count(FaultOperationKind.Move, from);
            state.Inner.File.Move(from, to, overwrite);
            state.Disks.Remove(to);
            if (state.Disks.Remove(from, out SimDisk? disk))
            {
                // The disk travels with its pending epoch: a new file stays "may be absent".
                state.Disks[to] = disk;
            }
        }
    }

    internal void CopyFile(string source, string destination, bool overwrite)
    {
        string from = state.Normalize(source);
        string to = state.Normalize(destination);
        lock (state.Gate)
        {
            SimDisk src = state.Disks.GetValueOrDefault(from)
                ?? (state.Inner.File.Exists(from) ? state.Seed(from) : throw new FileNotFoundException($"Could not find file '{from}'.", from));
            state.Disks[from] = src;
            state.Count(FaultOperationKind.Copy, from, 0, src.Length, src.Length);
            SimDisk dst = CopyTarget(to, overwrite);

            // Sparse copy: only sectors holding data are written, then the length is set.
            foreach (var (offset, bytes) in SparseRuns.Of(src))
            {
                dst.Write(offset, bytes);
            }

            dst.SetLength(src.Length);
        }
    }

    internal void ReplaceFile(string source, string destination, string? backup, bool ignoreMetadataErrors)
    {
        string from = state.Normalize(source);
        string to = state.Normalize(destination);
        string? keep = backup is null ? null : state.Normalize(backup);
        lock (state.Gate)
        {
            state.Count(FaultOperationKind.Replace, from);
            state.Inner.File.Replace(from, to, keep, ignoreMetadataErrors);
            SimDisk? old = state.Disks.GetValueOrDefault(to);
            state.Disks.Remove(to);
            if (keep is not null)
            {
                state.Disks.Remove(keep);
                if (old is not null)
                {
                    state.Disks[keep] = old;
                }
            }

            if (state.Disks.Remove(from, out SimDisk? disk))
            {
                state.Disks[to] = disk;
            }
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
        }
    }

    /// <summary>The destination of a copy: the existing file truncated (when overwriting is allowed) or a new one.</summary>
    private SimDisk CopyTarget(string to, bool overwrite)
    {
        SimDisk? dst = state.Disks.GetValueOrDefault(to);
        if (dst is not null || state.Inner.File.Exists(to))
        {
            if (!overwrite)
            {
                throw new IOException($"The file '{to}' already exists.", unchecked((int)0x80070050));
            }

            dst ??= state.Seed(to);
            dst.SetLength(0);
            return dst;
        }

        state.Inner.File.Create(to).Dispose();
        dst = SimDisk.CreateNew();
        state.Disks[to] = dst;
        return dst;
    }
}
