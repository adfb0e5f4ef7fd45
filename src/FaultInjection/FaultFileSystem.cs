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
/// Names (as LazyFS and ALICE model them): creating, renaming, deleting, copying to a new file and replacing
/// change the names at once, but each change reaches the disk only when its directory is fsynced, so until
/// then a crash may keep or lose it, in any combination with the other pending pieces. A file's own
/// <c>Flush(true)</c> makes its contents durable, never its name. A directory is fsynced the way POSIX code does
/// it, by opening it as a stream (<c>FileStream.New(directory, FileMode.Open, FileAccess.Read)</c>, the
/// equivalent of <c>open(dir, O_RDONLY|O_DIRECTORY)</c>) and calling <c>Flush(true)</c>: that is a durability
/// point like a file's fsync (it raises <see cref="FlushingToDisk"/> with <see cref="FlushToDiskEventArgs.IsDirectory"/>).
/// Creating, deleting and moving directories themselves is durable at once.
/// </para>
/// <para>
/// Handles are simulated like streams: <c>File.OpenHandle</c> opens the simulated file (counted, shared, subject
/// to the plan) and returns a stand-in <see cref="Microsoft.Win32.SafeHandles.SafeFileHandle"/> (a negative value,
/// never a descriptor: nothing outside the simulation can read or write through it), and <see cref="RandomAccess"/>
/// reads, writes, resizes and fsyncs through it with the stream calls' semantics, crash model included.
/// A handle's share ends when it is disposed (seen by the next open). Not simulated: <c>Wrap(FileStream)</c> and
/// handles of other file systems throw <see cref="NotSupportedException"/>, because they would bypass the simulation;
/// symbolic links, attributes, times (by path or by handle), watchers and version info go straight to the inner file system;
/// buffer sizes and <see cref="FileOptions"/> other than <see cref="FileOptions.Asynchronous"/> are accepted
/// and ignored.
/// </para>
/// <para>
/// Sharing (file locking) is modelled as Windows does it, per open stream (<see cref="FileShares"/>): an
/// open that a stream already open does not grant its access, or that does not grant an open stream its
/// access, fails with a sharing violation, and the plan can refuse one as if another process held the file
/// (<see cref="FaultPlan.RefuseLockAt"/>). Only opens that state a share take part (the <c>FileStream</c>
/// factory, <c>File.Open</c> with a share); the convenience methods (<c>OpenRead</c>, <c>ReadAllBytes</c>,
/// <c>Create</c>...) open sharing everything. A crash ends every open stream's share.
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
    /// <summary>Wraps <paramref name="inner"/>.</summary>
    /// <param name="inner">The file system that holds names; the real one or a MockFileSystem.</param>
    /// <param name="plan">Faults to inject, or null for none.</param>
    public FaultFileSystem(IFileSystem inner, FaultPlan? plan = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        Inner = inner;
        State = new SimulationState(inner);
        State.Log.Plan = plan;
        Contents = new FileContents(this, State);
        Names = new FileNamespace(State);
        Crashes = new CrashImaging(State);
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
    public FaultPlan? Plan
    {
        get => State.Log.Plan;
        set => State.Log.Plan = value;
    }

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

    /// <summary>Positional I/O on handles from this file system's <c>File.OpenHandle</c>, simulated as stream I/O is.</summary>
    public IRandomAccess RandomAccess { get; }

    /// <summary>A copy of the operation trace: every counted operation in order, plus crash markers.</summary>
    public IReadOnlyList<FaultOperation> Trace => Locked(() => State.Log.Trace);

    /// <summary>Counted operations seen by this file system (independent of <see cref="Plan"/>).</summary>
    public long OperationCount => Locked(() => State.Log.OperationCount);

    /// <summary><c>Flush(true)</c> calls so far, failed and aborted ones included.</summary>
    public long FlushToDiskCount => Locked(() => State.Log.FlushToDiskCount);

    /// <summary>Durability points passed: successful <c>Flush(true)</c> calls and <see cref="Sync"/>s. Crash states carry it as <c>E&lt;epoch&gt;</c>.</summary>
    public int Epoch => Locked(() => State.Epoch);

    /// <summary>Full paths of the files whose contents are simulated, sorted ordinally.</summary>
    public IReadOnlyList<string> SimulatedFiles => Locked(() => State.Disks.Keys.Order(StringComparer.Ordinal).ToArray());

    /// <summary>Crash-model pieces pending across all files (see <see cref="CrashState"/>).</summary>
    public int PendingPieceCount => WithCrashModel(m => m.PieceCount);

    /// <summary>The simulated state, guarded by its lock.</summary>
    internal SimulationState State { get; }

    /// <summary>Opening streams and the stream calls.</summary>
    internal FileContents Contents { get; }

    /// <summary>Deletes, moves, copies and replaces.</summary>
    internal FileNamespace Names { get; }

    /// <summary>The crash model and crash images.</summary>
    internal CrashImaging Crashes { get; }

    /// <summary>Clears <see cref="Trace"/>; counters are kept.</summary>
    public void ClearTrace() => Locked(() => { State.Log.ClearTrace(); return 0; });

    /// <summary>
    /// The live simulated contents of a file, or null if it is not simulated (never opened, or deleted).
    /// For inspection: writing through it bypasses the plan and the trace.
    /// </summary>
    /// <param name="path">Any path naming the file.</param>
    /// <returns>The disk or null.</returns>
    public SimDisk? GetDisk(string path)
    {
        string full = State.Normalize(path);
        return Locked(() => State.Disks.GetValueOrDefault(full));
    }

    /// <summary>
    /// Makes every pending operation of every file and every pending name change durable, without
    /// counting an operation: for harness set-up ("the image as created is on disk"), not for the code under test.
    /// </summary>
    public void Sync()
    {
        lock (State.Gate)
        {
            foreach (SimDisk disk in State.Disks.Values)
            {
                disk.Flush();
            }

            State.Names.SyncAll();
            State.Epoch++;
        }
    }

    /// <summary>
    /// Captures the current crash point (the durable state and pending epoch of every file and name) as a
    /// frozen <see cref="CrashPoint"/> whose states can be explored later, on any thread, while this file
    /// system moves on. Usable from a <see cref="FlushingToDisk"/> handler (it then belongs to that fsync).
    /// </summary>
    /// <param name="flushIndex">The index of the <c>Flush(true)</c> being captured (<see cref="FlushToDiskEventArgs.FlushIndex"/>), or -1.</param>
    /// <returns>The frozen crash point.</returns>
    public CrashPoint CaptureCrashPoint(long flushIndex = -1) => WithCrashModel(model => new CrashPoint(model.Freeze(), flushIndex));

    /// <summary>Each pending change of the current crash point and what a crash in <paramref name="state"/> keeps of it: landed, dropped or torn.</summary>
    /// <param name="state">A state of the current pending epoch.</param>
    /// <returns>The changes in pending order.</returns>
    /// <exception cref="ArgumentException">The state belongs to another epoch or does not fit this one.</exception>
    public IReadOnlyList<PendingChange> DescribeCrashState(CrashState state) => WithCrashModel(model => model.Describe(state));

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
    public IReadOnlyDictionary<string, SimDisk> Materialize(CrashState state) => Crashes.Materialize(state);

    /// <summary>
    /// Writes the post-crash contents of every simulated file into <paramref name="target"/> (typically a
    /// fresh MockFileSystem) at the same full paths, creating parent directories, so the code under test can
    /// reopen the image there. Only the data sectors are written, but the target allocates whatever it allocates
    /// for the length: prefer <see cref="CrashedCopy"/> for large sparse files.
    /// </summary>
    /// <param name="state">A state of the current pending epoch.</param>
    /// <param name="target">Where to write; files there with the same paths are replaced.</param>
    public void MaterializeTo(CrashState state, IFileSystem target) => Crashes.MaterializeTo(state, target);

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
    public FaultFileSystem CrashedCopy(CrashState state, IFileSystem inner, FaultPlan? plan = null) => Crashes.CrashedCopy(state, inner, plan);

    /// <summary>
    /// Crashes this file system into <paramref name="state"/>: every simulated file is replaced by its
    /// post-crash image (all durable), new files the crash loses are deleted, and streams opened before
    /// fail with <see cref="IOException"/>. The code under test then reopens its files here.
    /// </summary>
    /// <param name="state">A state of the current pending epoch.</param>
    /// <exception cref="InvalidOperationException">Called from a <see cref="FlushingToDisk"/> handler.</exception>
    public void ApplyCrash(CrashState state) => Crashes.ApplyCrash(state);

    /// <summary>Crashes losing every pending operation (<c>p0</c>): the most common pessimistic state. See <see cref="ApplyCrash"/>.</summary>
    public void Crash() => ApplyCrash(CrashState.Prefix(Epoch, 0));

    internal T WithCrashModel<T>(Func<CrashModel, T> action) => Crashes.WithCrashModel(action);

    internal IFileSystemInfo Wrap(IFileSystemInfo info) => info switch
    {
        IFileInfo file => new FaultFileInfo(this, file),
        IDirectoryInfo directory => new FaultDirectoryInfo(this, directory),
        _ => info,
    };

    internal long? SimulatedLength(string path)
    {
        string full = State.Normalize(path);
        return Locked(() => State.Disks.TryGetValue(full, out SimDisk? disk) ? disk.Length : (long?)null);
    }

    /// <summary>Raises <see cref="FlushingToDisk"/>; called with the simulation lock held.</summary>
    internal void OnFlushingToDisk(string path, long flushIndex, bool isDirectory) =>
        FlushingToDisk?.Invoke(this, new FlushToDiskEventArgs(this, path, flushIndex) { IsDirectory = isDirectory });

    private T Locked<T>(Func<T> read)
    {
        lock (State.Gate)
        {
            return read();
        }
    }
}
