using System.IO.Abstractions;
using Microsoft.Win32.SafeHandles;

namespace Storage.FaultInjection;

/// <summary>
/// What a <see cref="FaultFileSystem"/> does with file contents: opening streams and handles (which
/// seeds or creates the simulated file) and the calls of <see cref="FaultFileStream"/> and
/// <see cref="FaultRandomAccess"/> (reads, writes, length changes, flushes), the same calls for both,
/// each counted, traced and subject to the plan; and the fsync of a directory opened as a stream
/// (<see cref="FaultDirectoryStream"/>).
/// </summary>
internal sealed class FileContents(FaultFileSystem owner, SimulationState state)
{
    internal FileSystemStream Open(string path, FileMode mode, FileAccess access, FileOptions options, FileShare share = FileShare.ReadWrite | FileShare.Delete)
    {
        ValidateOpen(mode, access);
        string full = state.Normalize(path);
        lock (state.Gate)
        {
            if (state.Inner.Directory.Exists(full))
            {
                return OpenDirectory(full, mode, access);
            }

            var (disk, shareId) = Admit(full, mode, access, share);
            long start = mode == FileMode.Append ? disk.Length : 0;
            bool isAsync = (options & FileOptions.Asynchronous) != 0;
            return new FaultFileStream(owner, disk, full, access, start, mode == FileMode.Append, isAsync, state.Generation) { ShareId = shareId };
        }
    }

    /// <summary>
    /// <c>File.OpenHandle</c>: opens (or creates) the simulated file as <see cref="Open"/> does, counted,
    /// shared and subject to the plan alike, and returns a stand-in handle for <see cref="FaultRandomAccess"/>.
    /// </summary>
    internal SafeFileHandle OpenHandle(string path, FileMode mode, FileAccess access, FileShare share)
    {
        ValidateOpen(mode, access);
        string full = state.Normalize(path);
        lock (state.Gate)
        {
            if (state.Inner.Directory.Exists(full))
            {
                throw new UnauthorizedAccessException($"Access to the path '{full}' is denied.");
            }

            // A handle has no position: append mode only creates a missing file.
            var (disk, shareId) = Admit(full, mode == FileMode.Append ? FileMode.OpenOrCreate : mode, access, share);
            return state.Handles.Add(disk, full, access, shareId).Handle;
        }
    }

    /// <summary>What a stream's and a handle's open share (with the simulation lock held): counted, the simulated file resolved, the share entered.</summary>
    private (SimDisk Disk, long ShareId) Admit(string full, FileMode mode, FileAccess access, FileShare share)
    {
        long index = state.Count(FaultOperationKind.Open, full);
        SimDisk disk = Resolve(full, mode, index);
        return (disk, state.Shares.Enter(full, access, share));
    }

    /// <summary>The open handle <paramref name="handle"/> stands for (see <see cref="HandleTable.Find"/>), checked for <paramref name="needs"/>.</summary>
    internal FaultHandle Handle(SafeFileHandle handle, FileAccess needs)
    {
        lock (state.Gate)
        {
            FaultHandle entry = state.Handles.Find(handle);
            if ((entry.Access & needs) != needs)
            {
                // What the kernel answers (EBADF) and .NET reports for I/O the handle was not opened for.
                throw new UnauthorizedAccessException($"Access to the path '{entry.Path}' is denied: the handle was opened for {entry.Access}.");
            }

            return entry;
        }
    }

    /// <summary>A stream over an open handle (<c>FileStream.New(handle, ...)</c>): it owns the handle, as a <see cref="System.IO.FileStream"/> does.</summary>
    internal FileSystemStream StreamOver(SafeFileHandle handle, FileAccess access, bool isAsync)
    {
        FaultHandle entry = Handle(handle, access);
        return new FaultFileStream(owner, entry.Disk, entry.Path, access, 0, append: false, isAsync, entry.Generation) { OwnedHandle = handle };
    }

    internal long Length(SimDisk disk)
    {
        lock (state.Gate)
        {
            return disk.Length;
        }
    }

    internal int Read(SimDisk disk, string path, int generation, long position, Span<byte> buffer)
    {
        lock (state.Gate)
        {
            state.CheckGeneration(generation, path);
            state.Count(FaultOperationKind.Read, path, position, buffer.Length);
            long available = Math.Max(0, disk.Length - position);
            int count = (int)Math.Min(buffer.Length, available);
            if (state.Log.Plan is { } plan)
            {
                count = plan.ShortenRead(count);
            }

            return disk.Read(position, buffer[..count]);
        }
    }

    internal void Write(SimDisk disk, string path, int generation, long position, ReadOnlySpan<byte> data)
    {
        lock (state.Gate)
        {
            state.CheckGeneration(generation, path);
            long end = position + data.Length;
            long index = state.Count(FaultOperationKind.Write, path, position, data.Length, end > disk.Length ? end : -1);
            disk.Write(position, data, index, path);
        }
    }

    internal void SetLength(SimDisk disk, string path, int generation, long length)
    {
        lock (state.Gate)
        {
            state.CheckGeneration(generation, path);
            long index = state.Count(FaultOperationKind.SetLength, path, length, 0, length > disk.Length ? length : -1);
            disk.SetLength(length, index, path);
        }
    }

    internal void Flush(SimDisk disk, string path, int generation, bool flushToDisk)
    {
        lock (state.Gate)
        {
            state.CheckGeneration(generation, path);
            if (!flushToDisk)
            {
                // Nothing is buffered in the stream, so a plain flush only costs an operation.
                state.Count(FaultOperationKind.Flush, path);
                return;
            }

            RaiseFlushing(path, isDirectory: false);

            // A failing fsync throws here, leaving the epoch pending: undetermined, as on a real disk.
            state.Count(FaultOperationKind.FlushToDisk, path);
            disk.Flush();
            state.Epoch++;
        }
    }

    /// <summary>The fsync of a directory: its pending name changes become durable (see <see cref="NameJournal"/>).</summary>
    internal void FlushDirectory(string path, int generation)
    {
        lock (state.Gate)
        {
            state.CheckGeneration(generation, path);
            RaiseFlushing(path, isDirectory: true);

            // As for a file: a failing fsync leaves the changes pending.
            state.Count(FaultOperationKind.FlushDirectory, path);
            state.Names.SyncDirectory(path);
            state.Epoch++;
        }
    }

    /// <summary>A directory opened as a stream: only to fsync it (reading or writing it is refused, as by the BCL).</summary>
    private FaultDirectoryStream OpenDirectory(string full, FileMode mode, FileAccess access)
    {
        if (mode is not (FileMode.Open or FileMode.OpenOrCreate) || access != FileAccess.Read)
        {
            throw new UnauthorizedAccessException($"Access to the path '{full}' is denied.");
        }

        state.Count(FaultOperationKind.Open, full);
        return new FaultDirectoryStream(this, full, state.Generation);
    }

    /// <summary>Raises the crash-point event of the next fsync (its index counts failed ones too).</summary>
    private void RaiseFlushing(string path, bool isDirectory)
    {
        long flushIndex = state.Log.NextFlushIndex();
        state.CallbackDepth++;
        try
        {
            owner.OnFlushingToDisk(path, flushIndex, isDirectory);
        }
        finally
        {
            state.CallbackDepth--;
        }
    }

    /// <summary>Rejects what <see cref="System.IO.FileStream"/> rejects, so code that works here works on a real disk.</summary>
    private static void ValidateOpen(FileMode mode, FileAccess access)
    {
        if (mode is < FileMode.CreateNew or > FileMode.Append)
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown FileMode.");
        }

        if (access is < FileAccess.Read or > FileAccess.ReadWrite)
        {
            throw new ArgumentOutOfRangeException(nameof(access), access, "Unknown FileAccess.");
        }

        if ((access & FileAccess.Write) == 0 && mode is FileMode.CreateNew or FileMode.Create or FileMode.Truncate or FileMode.Append)
        {
            throw new ArgumentException($"Combining FileMode: {mode} with FileAccess: {access} is invalid.", nameof(access));
        }

        if (mode == FileMode.Append && (access & FileAccess.Read) != 0)
        {
            throw new ArgumentException("Append access can be requested only in write-only mode.", nameof(access));
        }
    }

    /// <summary>The simulated file <paramref name="full"/> opened with <paramref name="mode"/>: existing (seeded if needed, truncated if asked) or new.</summary>
    private SimDisk Resolve(string full, FileMode mode, long operationIndex)
    {
        SimDisk? disk = state.Disks.GetValueOrDefault(full);
        bool exists = disk is not null || state.Inner.File.Exists(full);
        if (exists && mode == FileMode.CreateNew)
        {
            throw new IOException($"The file '{full}' already exists.", unchecked((int)0x80070050));
        }

        if (!exists && mode is FileMode.Open or FileMode.Truncate)
        {
            throw new FileNotFoundException($"Could not find file '{full}'.", full);
        }

        if (!exists)
        {
            // The inner file system checks the directory and records the name; contents stay here,
            // and the name is pending until the directory is fsynced.
            state.Inner.File.Create(full).Dispose();
            disk = new SimDisk();
            state.Disks[full] = disk;
            state.Names.Record(NameOperationKind.Create, full, null, disk, operationIndex);
            return disk;
        }

        disk ??= state.Seed(full);
        if (mode is FileMode.Create or FileMode.Truncate)
        {
            disk.SetLength(0, operationIndex, full);
        }

        return disk;
    }
}
