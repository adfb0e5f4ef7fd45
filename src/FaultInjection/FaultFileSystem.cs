using System.IO.Abstractions;

namespace Storage.FaultInjection;

/// <summary>
/// An <see cref="IFileSystem"/> decorator that keeps file contents in a crash simulation: every
/// file opened through it lives in a <see cref="SimDisk"/> (durable bytes plus the writes since
/// the last <c>Flush(true)</c>), its streams are <see cref="FaultFileStream"/>s that can fail on
/// purpose (<see cref="Plan"/>), and a test can enumerate and materialize the states a crash could
/// leave (<see cref="EnumerateCrashStates"/>, <see cref="Materialize"/>, <see cref="ApplyCrash"/>).
/// </summary>
/// <remarks>
/// <para>
/// Division of labour: the inner file system holds names (files, directories) and answers
/// path, attribute, time and enumeration questions; the simulation holds contents. A file is
/// seeded from the inner file system the first time it is opened (its bytes become durable);
/// from then on reads and writes go to its <see cref="SimDisk"/> only, and the inner file keeps
/// its old bytes (files created through this wrapper exist there empty). Lengths reported through
/// <see cref="IFileSystem.FileInfo"/> come from the simulation.
/// </para>
/// <para>
/// Metadata rule: deletes, renames, copies and replaces are recorded and durable at once,
/// except that a file created through this wrapper is "new" until its first <c>Flush(true)</c>,
/// and a crash may leave a new file absent. A copy is a new (or truncated) destination plus pending writes.
/// </para>
/// <para>
/// Not simulated: handle-based I/O (<c>File.OpenHandle</c>, <c>RandomAccess</c>, <c>FileStream.New(SafeFileHandle...)</c>,
/// <c>Wrap(FileStream)</c>) throws <see cref="NotSupportedException"/>, because it would bypass the simulation;
/// symbolic links, attributes, times, watchers and version info go straight to the inner file system;
/// <see cref="FileShare"/>, buffer sizes and <see cref="FileOptions"/> other than
/// <see cref="FileOptions.Asynchronous"/> are accepted and ignored. Directory creation is not a crash event
/// (directories are durable at once).
/// </para>
/// <para>
/// A failed <c>Flush(true)</c> leaves its writes pending, so a crash may keep or lose each of them, and a
/// later successful <c>Flush(true)</c> makes them durable. (Linux may instead drop dirty pages after a failed
/// fsync, so that the retry "succeeds" without them; that harsher outcome is not modelled.)
/// </para>
/// <para>Thread-safe: one lock guards all simulated state.</para>
/// </remarks>
public sealed class FaultFileSystem : IFileSystem
{
    private const int CopyChunk = 1 << 20;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, SimDisk> _disks;
    private readonly List<FaultOperation> _trace = [];
    private long _operationCount;
    private long _flushToDiskCount;
    private int _epoch;
    private int _generation;
    private int _callbackDepth;
    private long _mapVersion;
    private CrashModel? _model;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    /// <param name="inner">The file system that holds names; the real one or a MockFileSystem.</param>
    /// <param name="plan">Faults to inject, or null for none.</param>
    public FaultFileSystem(IFileSystem inner, FaultPlan? plan = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        Inner = inner;
        Plan = plan;
        _disks = new Dictionary<string, SimDisk>(PathComparer);
        File = new FaultFile(this);
        Directory = new FaultDirectory(this);
        FileInfo = new FaultFileInfoFactory(this);
        DirectoryInfo = new FaultDirectoryInfoFactory(this);
        FileStream = new FaultFileStreamFactory(this);
        RandomAccess = new FaultRandomAccess(this);
    }

    /// <summary>Raised inside every <c>Flush(true)</c> before it takes effect (see <see cref="FlushToDiskEventArgs"/>).</summary>
    /// <remarks>
    /// The handler runs synchronously on the flushing thread with the simulation lock held: it may
    /// call this file system's crash APIs (<see cref="EnumerateCrashStates"/>, <see cref="Materialize"/>,
    /// <see cref="MaterializeTo"/>, <see cref="CrashedCopy"/>) but not <see cref="ApplyCrash"/>, and must not wait
    /// on other threads that use it. Throwing from the handler aborts the flush with nothing made
    /// durable, which is how a harness stops a workload at a chosen crash point.
    /// </remarks>
    public event EventHandler<FlushToDiskEventArgs>? FlushingToDisk;

    /// <summary>The wrapped file system.</summary>
    public IFileSystem Inner { get; }

    /// <summary>Faults applied to every counted operation; null injects none. May be swapped between runs.</summary>
    public FaultPlan? Plan { get; set; }

    /// <inheritdoc/>
    public IDirectory Directory { get; }

    /// <inheritdoc/>
    public IDirectoryInfoFactory DirectoryInfo { get; }

    /// <inheritdoc/>
    public IDriveInfoFactory DriveInfo => Inner.DriveInfo;

    /// <inheritdoc/>
    public IFile File { get; }

    /// <inheritdoc/>
    public IFileInfoFactory FileInfo { get; }

    /// <inheritdoc/>
    public IFileStreamFactory FileStream { get; }

    /// <inheritdoc/>
    public IFileSystemWatcherFactory FileSystemWatcher => Inner.FileSystemWatcher;

    /// <inheritdoc/>
    public IFileVersionInfoFactory FileVersionInfo => Inner.FileVersionInfo;

    /// <inheritdoc/>
    public IPath Path => Inner.Path;

    /// <summary>Throws <see cref="NotSupportedException"/> on use: handle-based I/O would bypass the simulation.</summary>
    public IRandomAccess RandomAccess { get; }

    /// <summary>A copy of the operation trace: every counted operation in order, plus crash markers.</summary>
    public IReadOnlyList<FaultOperation> Trace
    {
        get
        {
            lock (_gate)
            {
                return _trace.ToArray();
            }
        }
    }

    /// <summary>Counted operations seen by this file system (independent of <see cref="Plan"/>).</summary>
    public long OperationCount
    {
        get
        {
            lock (_gate)
            {
                return _operationCount;
            }
        }
    }

    /// <summary><c>Flush(true)</c> calls so far, failed and aborted ones included.</summary>
    public long FlushToDiskCount
    {
        get
        {
            lock (_gate)
            {
                return _flushToDiskCount;
            }
        }
    }

    /// <summary>Durability points passed: successful <c>Flush(true)</c> calls and <see cref="Sync"/>s. Crash states carry it as <c>E&lt;epoch&gt;</c>.</summary>
    public int Epoch
    {
        get
        {
            lock (_gate)
            {
                return _epoch;
            }
        }
    }

    /// <summary>Full paths of the files whose contents are simulated, sorted ordinally.</summary>
    public IReadOnlyList<string> SimulatedFiles
    {
        get
        {
            lock (_gate)
            {
                return _disks.Keys.Order(StringComparer.Ordinal).ToArray();
            }
        }
    }

    /// <summary>Crash-model pieces pending across all files (see <see cref="CrashState"/>).</summary>
    public int PendingPieceCount => WithCrashModel(m => m.PieceCount);

    private static StringComparer PathComparer => OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

    private static StringComparison PathComparison => OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    /// <summary>Clears <see cref="Trace"/>; counters are kept.</summary>
    public void ClearTrace()
    {
        lock (_gate)
        {
            _trace.Clear();
        }
    }

    /// <summary>
    /// The live simulated contents of a file, or null if it is not simulated (never opened, or deleted).
    /// For inspection: writing through it bypasses the plan and the trace.
    /// </summary>
    /// <param name="path">Any path naming the file.</param>
    /// <returns>The disk or null.</returns>
    public SimDisk? GetDisk(string path)
    {
        string full = Normalize(path);
        lock (_gate)
        {
            return _disks.GetValueOrDefault(full);
        }
    }

    /// <summary>
    /// Makes every pending operation of every file durable, without counting an operation:
    /// for harness set-up ("the image as created is on disk"), not for the code under test.
    /// </summary>
    public void Sync()
    {
        lock (_gate)
        {
            foreach (SimDisk disk in _disks.Values)
            {
                disk.Flush();
            }

            _epoch++;
        }
    }

    /// <summary>The crash states of the current pending epoch of all files; see <see cref="CrashStates.Enumerate(FaultFileSystem)"/>.</summary>
    /// <returns>Replayable crash states.</returns>
    public IReadOnlyList<CrashState> EnumerateCrashStates() => CrashStates.Enumerate(this);

    /// <summary><paramref name="count"/> random crash states of the current pending epoch, reproducible from <paramref name="seed"/>.</summary>
    /// <param name="seed">Sampling seed.</param>
    /// <param name="count">How many.</param>
    /// <returns>Replayable crash states.</returns>
    public IReadOnlyList<CrashState> SampleCrashStates(int seed, int count) => CrashStates.Sample(this, seed, count);

    /// <summary>
    /// The contents every simulated file would have after a crash in <paramref name="state"/>, by full path;
    /// a new file the crash loses is missing. Each image is a fully durable <see cref="SimDisk"/>.
    /// Files never opened through this wrapper are not included: they keep their inner contents.
    /// </summary>
    /// <param name="state">A state of the current pending epoch.</param>
    /// <returns>The post-crash files.</returns>
    public IReadOnlyDictionary<string, SimDisk> Materialize(CrashState state) =>
        WithCrashModel(model =>
        {
            SimDisk?[] images = model.Materialize(state);
            var result = new Dictionary<string, SimDisk>(PathComparer);
            for (int i = 0; i < images.Length; i++)
            {
                if (images[i] is { } image)
                {
                    result[model.Files[i].Path] = image;
                }
            }

            return result;
        });

    /// <summary>
    /// Writes the post-crash contents of every simulated file into <paramref name="target"/> (typically a
    /// fresh MockFileSystem) at the same full paths, creating parent directories, so the code under test can
    /// reopen the image there. Only the data sectors are written, but the target allocates whatever it allocates
    /// for the length: prefer <see cref="CrashedCopy"/> for large sparse files.
    /// </summary>
    /// <param name="state">A state of the current pending epoch.</param>
    /// <param name="target">Where to write; files there with the same paths are replaced.</param>
    public void MaterializeTo(CrashState state, IFileSystem target)
    {
        ArgumentNullException.ThrowIfNull(target);
        foreach (var (path, image) in Materialize(state))
        {
            if (target.Path.GetDirectoryName(path) is { Length: > 0 } directory)
            {
                target.Directory.CreateDirectory(directory);
            }

            using FileSystemStream stream = target.FileStream.New(path, FileMode.Create, FileAccess.Write);
            stream.SetLength(image.Length);
            foreach (var (offset, bytes) in DataRuns(image))
            {
                stream.Position = offset;
                stream.Write(bytes);
            }
        }
    }

    /// <summary>
    /// A new <see cref="FaultFileSystem"/> over <paramref name="inner"/> (typically a fresh MockFileSystem)
    /// whose simulated files are the post-crash images of <paramref name="state"/>, all durable. The files are
    /// created empty in <paramref name="inner"/> so names resolve; contents stay sparse in the simulation.
    /// Usable from a <see cref="FlushingToDisk"/> handler, since this file system is left untouched.
    /// </summary>
    /// <param name="state">A state of the current pending epoch.</param>
    /// <param name="inner">The name store of the copy.</param>
    /// <param name="plan">Faults for the copy, or null.</param>
    /// <returns>The crashed copy, ready for the code under test to reopen.</returns>
    public FaultFileSystem CrashedCopy(CrashState state, IFileSystem inner, FaultPlan? plan = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        var copy = new FaultFileSystem(inner, plan);
        foreach (var (path, image) in Materialize(state))
        {
            if (inner.Path.GetDirectoryName(path) is { Length: > 0 } directory)
            {
                inner.Directory.CreateDirectory(directory);
            }

            inner.File.Create(path).Dispose();
            copy._disks[copy.Normalize(path)] = image;
        }

        return copy;
    }

    /// <summary>
    /// Crashes this file system into <paramref name="state"/>: every simulated file is replaced by its
    /// post-crash image (all durable), new files the crash loses are deleted, and streams opened before
    /// fail with <see cref="IOException"/>. The code under test then reopens its files here.
    /// </summary>
    /// <param name="state">A state of the current pending epoch.</param>
    /// <exception cref="InvalidOperationException">Called from a <see cref="FlushingToDisk"/> handler.</exception>
    public void ApplyCrash(CrashState state)
    {
        lock (_gate)
        {
            if (_callbackDepth > 0)
            {
                throw new InvalidOperationException(
                    "ApplyCrash cannot run inside a FlushingToDisk handler: the workload is mid-flush. Use Materialize, MaterializeTo or CrashedCopy there, or throw to abort the workload and apply the crash afterwards.");
            }

            WithCrashModel(model =>
            {
                SimDisk?[] images = model.Materialize(state);
                for (int i = 0; i < images.Length; i++)
                {
                    string path = model.Files[i].Path;
                    if (images[i] is { } image)
                    {
                        _disks[path] = image;
                    }
                    else
                    {
                        _disks.Remove(path);
                        Inner.File.Delete(path);
                    }
                }

                return 0;
            });

            _generation++;
            _mapVersion++;
            _trace.Add(new FaultOperation(-1, FaultOperationKind.Crash, state.ToString(), 0, 0, false));
        }
    }

    /// <summary>Crashes losing every pending operation (<c>p0</c>): the most common pessimistic state. See <see cref="ApplyCrash"/>.</summary>
    public void Crash() => ApplyCrash(CrashState.Prefix(Epoch, 0));

    internal T WithCrashModel<T>(Func<CrashModel, T> action)
    {
        lock (_gate)
        {
            // Versions only grow, so the sum changes whenever any disk or the file map does:
            // a harness materializing many states of one crash point builds the model once.
            long version = _mapVersion + _epoch;
            foreach (SimDisk disk in _disks.Values)
            {
                version += disk.Version;
            }

            if (_model is null || _model.Version != version)
            {
                var files = _disks.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value)).ToList();
                _model = new CrashModel(_epoch, files, version);
            }

            return action(_model);
        }
    }

    internal string Normalize(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Inner.Path.GetFullPath(path);
    }

    internal IFileSystemInfo Wrap(IFileSystemInfo info) => info switch
    {
        IFileInfo file => new FaultFileInfo(this, file),
        IDirectoryInfo directory => new FaultDirectoryInfo(this, directory),
        _ => info,
    };

    internal long? SimulatedLength(string path)
    {
        string full = Normalize(path);
        lock (_gate)
        {
            return _disks.TryGetValue(full, out SimDisk? disk) ? disk.Length : null;
        }
    }

    internal FaultFileStream Open(string path, FileMode mode, FileAccess access, FileOptions options)
    {
        if (mode is < FileMode.CreateNew or > FileMode.Append)
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown FileMode.");
        }

        if (access is < FileAccess.Read or > FileAccess.ReadWrite)
        {
            throw new ArgumentOutOfRangeException(nameof(access), access, "Unknown FileAccess.");
        }

        // The same combinations FileStream rejects, so code that works here works on a real disk.
        if ((access & FileAccess.Write) == 0 && mode is FileMode.CreateNew or FileMode.Create or FileMode.Truncate or FileMode.Append)
        {
            throw new ArgumentException($"Combining FileMode: {mode} with FileAccess: {access} is invalid.", nameof(access));
        }

        if (mode == FileMode.Append && (access & FileAccess.Read) != 0)
        {
            throw new ArgumentException("Append access can be requested only in write-only mode.", nameof(access));
        }

        string full = Normalize(path);
        lock (_gate)
        {
            Count(FaultOperationKind.Open, full);
            SimDisk? disk = _disks.GetValueOrDefault(full);
            bool exists = disk is not null || Inner.File.Exists(full);
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
                // The inner file system checks the directory and records the name; contents stay here.
                Inner.File.Create(full).Dispose();
                disk = SimDisk.CreateNew();
                _disks[full] = disk;
            }
            else
            {
                disk ??= Seed(full);
                if (mode is FileMode.Create or FileMode.Truncate)
                {
                    disk.SetLength(0);
                }
            }

            long start = mode == FileMode.Append ? disk.Length : 0;
            bool isAsync = (options & FileOptions.Asynchronous) != 0;
            return new FaultFileStream(this, disk, full, access, start, mode == FileMode.Append, isAsync, _generation);
        }
    }

    internal long StreamLength(SimDisk disk)
    {
        lock (_gate)
        {
            return disk.Length;
        }
    }

    internal int StreamRead(SimDisk disk, string path, int generation, long position, Span<byte> buffer)
    {
        lock (_gate)
        {
            CheckGeneration(generation, path);
            Count(FaultOperationKind.Read, path, position, buffer.Length);
            long available = Math.Max(0, disk.Length - position);
            int count = (int)Math.Min(buffer.Length, available);
            if (Plan is { } plan)
            {
                count = plan.ShortenRead(count);
            }

            return disk.Read(position, buffer[..count]);
        }
    }

    internal void StreamWrite(SimDisk disk, string path, int generation, long position, ReadOnlySpan<byte> data)
    {
        lock (_gate)
        {
            CheckGeneration(generation, path);
            long end = position + data.Length;
            Count(FaultOperationKind.Write, path, position, data.Length, end > disk.Length ? end : -1);
            disk.Write(position, data);
        }
    }

    internal void StreamSetLength(SimDisk disk, string path, int generation, long length)
    {
        lock (_gate)
        {
            CheckGeneration(generation, path);
            Count(FaultOperationKind.SetLength, path, length, 0, length > disk.Length ? length : -1);
            disk.SetLength(length);
        }
    }

    internal void StreamFlush(SimDisk disk, string path, int generation, bool flushToDisk)
    {
        lock (_gate)
        {
            CheckGeneration(generation, path);
            if (!flushToDisk)
            {
                // Nothing is buffered in the stream, so a plain flush only costs an operation.
                Count(FaultOperationKind.Flush, path);
                return;
            }

            long flushIndex = _flushToDiskCount++;
            _callbackDepth++;
            try
            {
                FlushingToDisk?.Invoke(this, new FlushToDiskEventArgs(this, path, flushIndex));
            }
            finally
            {
                _callbackDepth--;
            }

            // A failing fsync throws here, leaving the epoch pending: undetermined, as on a real disk.
            Count(FaultOperationKind.FlushToDisk, path);
            disk.Flush();
            _epoch++;
        }
    }

    internal void DeleteFile(string path)
    {
        string full = Normalize(path);
        lock (_gate)
        {
            Count(FaultOperationKind.Delete, full);
            Inner.File.Delete(full);
            // Open streams keep the orphaned disk, like an unlinked file on Unix.
            _disks.Remove(full);
        }
    }

    internal void MoveFile(string source, string destination, bool overwrite)
    {
        string from = Normalize(source);
        string to = Normalize(destination);
        lock (_gate)
        {
            Count(FaultOperationKind.Move, from);
            Inner.File.Move(from, to, overwrite);
            _disks.Remove(to);
            if (_disks.Remove(from, out SimDisk? disk))
            {
                // The disk travels with its pending epoch: a new file stays "may be absent".
                _disks[to] = disk;
            }
        }
    }

    internal void CopyFile(string source, string destination, bool overwrite)
    {
        string from = Normalize(source);
        string to = Normalize(destination);
        lock (_gate)
        {
            SimDisk src = _disks.GetValueOrDefault(from)
                ?? (Inner.File.Exists(from) ? Seed(from) : throw new FileNotFoundException($"Could not find file '{from}'.", from));
            _disks[from] = src;
            Count(FaultOperationKind.Copy, from, 0, src.Length, src.Length);
            SimDisk? dst = _disks.GetValueOrDefault(to);
            if (dst is not null || Inner.File.Exists(to))
            {
                if (!overwrite)
                {
                    throw new IOException($"The file '{to}' already exists.", unchecked((int)0x80070050));
                }

                dst ??= Seed(to);
                dst.SetLength(0);
            }
            else
            {
                Inner.File.Create(to).Dispose();
                dst = SimDisk.CreateNew();
                _disks[to] = dst;
            }

            // Sparse copy: only sectors holding data are written, then the length is set.
            foreach (var (offset, bytes) in DataRuns(src))
            {
                dst.Write(offset, bytes);
            }

            dst.SetLength(src.Length);
        }
    }

    internal void ReplaceFile(string source, string destination, string? backup, bool ignoreMetadataErrors)
    {
        string from = Normalize(source);
        string to = Normalize(destination);
        string? keep = backup is null ? null : Normalize(backup);
        lock (_gate)
        {
            Count(FaultOperationKind.Replace, from);
            Inner.File.Replace(from, to, keep, ignoreMetadataErrors);
            SimDisk? old = _disks.GetValueOrDefault(to);
            _disks.Remove(to);
            if (keep is not null)
            {
                _disks.Remove(keep);
                if (old is not null)
                {
                    _disks[keep] = old;
                }
            }

            if (_disks.Remove(from, out SimDisk? disk))
            {
                _disks[to] = disk;
            }
        }
    }

    internal void DeleteDirectory(string path, bool recursive)
    {
        string full = Normalize(path);
        lock (_gate)
        {
            Count(FaultOperationKind.DeleteDirectory, full);
            Inner.Directory.Delete(full, recursive);
            foreach (string key in KeysUnder(full))
            {
                _disks.Remove(key);
            }
        }
    }

    internal void MoveDirectory(string source, string destination)
    {
        string from = Normalize(source);
        string to = Normalize(destination);
        lock (_gate)
        {
            Count(FaultOperationKind.MoveDirectory, from);
            Inner.Directory.Move(from, to);
            string fromPrefix = WithSeparator(from);
            string toPrefix = WithSeparator(to);
            foreach (string key in KeysUnder(from))
            {
                _disks.Remove(key, out SimDisk? disk);
                _disks[toPrefix + key[fromPrefix.Length..]] = disk!;
            }
        }
    }

    /// <summary>Contiguous runs of stored sectors, clipped to the length, in chunks of at most <see cref="CopyChunk"/>.</summary>
    private static IEnumerable<(long Offset, byte[] Bytes)> DataRuns(SimDisk disk)
    {
        List<long> sectors = disk.VolatileSectorIndexes();
        int i = 0;
        while (i < sectors.Count)
        {
            int j = i + 1;
            while (j < sectors.Count && sectors[j] == sectors[j - 1] + 1 && (j - i) * (long)SimDisk.SectorSize < CopyChunk)
            {
                j++;
            }

            long offset = sectors[i] * SimDisk.SectorSize;
            long end = Math.Min(disk.Length, (sectors[j - 1] + 1) * SimDisk.SectorSize);
            var bytes = new byte[end - offset];
            disk.Read(offset, bytes);
            yield return (offset, bytes);
            i = j;
        }
    }

    private string WithSeparator(string directory) =>
        directory.EndsWith(Inner.Path.DirectorySeparatorChar) ? directory : directory + Inner.Path.DirectorySeparatorChar;

    private List<string> KeysUnder(string directory)
    {
        string prefix = WithSeparator(directory);
        return _disks.Keys.Where(k => k.StartsWith(prefix, PathComparison)).ToList();
    }

    private void CheckGeneration(int generation, string path)
    {
        if (generation != _generation)
        {
            throw new IOException($"The file system crashed after '{path}' was opened; reopen the file.");
        }
    }

    private void Count(FaultOperationKind kind, string path, long offset = 0, long length = 0, long growTo = -1)
    {
        // Every lock section that changes the file map counts an operation (or bumps the version
        // itself, as ApplyCrash does), which invalidates the cached crash model.
        _mapVersion++;
        long index = _operationCount++;
        try
        {
            Plan?.BeforeOperation(kind, path, growTo);
        }
        catch (InjectedFaultException)
        {
            _trace.Add(new FaultOperation(index, kind, path, offset, length, true));
            throw;
        }

        _trace.Add(new FaultOperation(index, kind, path, offset, length, false));
    }

    /// <summary>Loads an existing inner file as durable contents, storing only non-zero sectors.</summary>
    private SimDisk Seed(string full)
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

        _disks[full] = disk;
        return disk;
    }
}
