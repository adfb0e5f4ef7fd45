using Storage.VhdActors;

namespace Storage.CrashTesting.Harness;

/// <summary>A disk handle of the workload: the real one, writes, flushes and the dispose recorded (reads are not).</summary>
internal sealed class RecordingDisk(IDisk inner, CallRecorder recorder) : IDisk
{
    private int _disposed;

    public string Path => inner.Path;

    public long Length => inner.Length;

    public bool CanWrite => inner.CanWrite;

    public IReadOnlyList<string> Chain => inner.Chain;

    public Task<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(offset, buffer, cancellationToken);

    public Task WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        var call = recorder.Start(CallKind.Write, inner.Path, offset: offset, data: data.ToArray());
        return RecordingDiskStore.Recorded(call, recorder, () => inner.WriteAsync(offset, data, cancellationToken));
    }

    /// <summary>Recorded as a write of zeros: what the range reads afterwards, durable at the same flush as a write.</summary>
    public Task DiscardAsync(long offset, long length, CancellationToken cancellationToken = default)
    {
        var call = recorder.Start(CallKind.Write, inner.Path, offset: offset, data: new byte[checked((int)Math.Max(0, length))]);
        return RecordingDiskStore.Recorded(call, recorder, () => inner.DiscardAsync(offset, length, cancellationToken));
    }

    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var call = recorder.Start(CallKind.Flush, inner.Path);
        return RecordingDiskStore.Recorded(call, recorder, () => inner.FlushAsync(cancellationToken));
    }

    /// <summary>A query that changes nothing: passed through, like reads, and not recorded.</summary>
    public ValueTask<DiskAllocation> GetAllocationAsync(long offset, long length, CancellationToken cancellationToken = default) =>
        inner.GetAllocationAsync(offset, length, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        var call = recorder.Start(CallKind.Dispose, inner.Path);
        await RecordingDiskStore.Recorded(call, recorder, () => inner.DisposeAsync().AsTask()).ConfigureAwait(false);
    }
}
