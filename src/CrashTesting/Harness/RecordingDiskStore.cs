using System.IO.Abstractions;
using Storage.VhdActors;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Maintenance;

namespace Storage.CrashTesting.Harness;

/// <summary>The store a workload gets: the real facade, each call recorded (what the workload was promised, and when).</summary>
internal sealed class RecordingDiskStore(IDiskStore inner, CallRecorder recorder) : IDiskStore
{
    public IFileSystem FileSystem => inner.FileSystem;

    public async Task<IDisk> OpenAsync(string path, FileAccess access = FileAccess.ReadWrite, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        var call = recorder.Start(CallKind.Open, Full(path));
        var disk = await Recorded(call, () => inner.OpenAsync(path, access, cancellationToken)).ConfigureAwait(false);
        return new RecordingDisk(disk, recorder);
    }

    public async Task<IDisk> CreateAsync(string path, VhdCreateOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        var call = recorder.Start(CallKind.Create, Full(path));
        var disk = await Recorded(call, () => inner.CreateAsync(path, options, cancellationToken)).ConfigureAwait(false);
        return new RecordingDisk(disk, recorder);
    }

    public Task SnapshotAsync(string imagePath, string childPath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(imagePath);
        ArgumentNullException.ThrowIfNull(childPath);
        var call = recorder.Start(CallKind.Snapshot, Full(imagePath), Full(childPath));
        return Recorded(call, () => inner.SnapshotAsync(imagePath, childPath, cancellationToken));
    }

    public Task<long> CommitAsync(string childPath, bool keepChild = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(childPath);
        var call = recorder.Start(CallKind.Commit, Full(childPath), flag: keepChild);
        return Recorded(call, () => inner.CommitAsync(childPath, keepChild, cancellationToken));
    }

    public Task<long> CommitAsync(string childPath, CommitOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(childPath);
        ArgumentNullException.ThrowIfNull(options);
        var call = recorder.Start(CallKind.Commit, Full(childPath), flag: options.KeepChild);
        return Recorded(call, () => inner.CommitAsync(childPath, options, cancellationToken));
    }

    /// <summary>A query: passed through, not recorded.</summary>
    public Task<DiskInfo> GetInfoAsync(string path, CancellationToken cancellationToken = default) => inner.GetInfoAsync(path, cancellationToken);

    /// <summary>A query: passed through, not recorded.</summary>
    public Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default) => inner.ExistsAsync(path, cancellationToken);

    /// <summary>Passed through, not recorded: a deletion promises no durability the crash check could hold the store to.</summary>
    public Task DeleteAsync(string path, CancellationToken cancellationToken = default) => inner.DeleteAsync(path, cancellationToken);

    /// <summary>Passed through, not recorded: the content reads the same after a compaction.</summary>
    public Task<CompactResult> CompactAsync(string path, bool force = false, CancellationToken cancellationToken = default) =>
        inner.CompactAsync(path, force, cancellationToken);

    /// <summary>Passed through, not recorded.</summary>
    public Task<long> ResizeAsync(string path, long size, bool allowShrink = false, bool force = false, CancellationToken cancellationToken = default) =>
        inner.ResizeAsync(path, size, allowShrink, force, cancellationToken);

    internal static async Task<T> Recorded<T>(RecordedCall call, CallRecorder recorder, Func<Task<T>> run)
    {
        try
        {
            T result = await run().ConfigureAwait(false);
            recorder.Complete(call, failed: false);
            return result;
        }
        catch
        {
            recorder.Complete(call, failed: true);
            throw;
        }
    }

    internal static async Task Recorded(RecordedCall call, CallRecorder recorder, Func<Task> run)
    {
        try
        {
            await run().ConfigureAwait(false);
            recorder.Complete(call, failed: false);
        }
        catch
        {
            recorder.Complete(call, failed: true);
            throw;
        }
    }

    private Task<T> Recorded<T>(RecordedCall call, Func<Task<T>> run) => Recorded(call, recorder, run);

    private Task Recorded(RecordedCall call, Func<Task> run) => Recorded(call, recorder, run);

    private string Full(string path) => inner.FileSystem.Path.GetFullPath(path);
}
