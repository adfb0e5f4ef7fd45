using Storage.Vhd.Actors.Messages;

namespace Storage.Vhd.Actors;

/// <summary>
/// One <see cref="IDisk"/> handle. Requests wait (asynchronously) for a slot of the image's
/// in-flight limit before they are sent: that, not a bounded mailbox, is the back-pressure, so a
/// fast writer is slowed at the caller instead of filling memory with queued buffers, and the
/// actor never has to drop or block on a full mailbox.
/// </summary>
internal sealed class DiskHandle : IDisk
{
    private readonly DiskStore _store;
    private readonly SemaphoreSlim _limiter;
    private int _disposed;

    public DiskHandle(DiskStore store, ImageOpened opened, bool canWrite)
    {
        _store = store;
        Path = opened.Path;
        Length = opened.Length;
        Chain = opened.Chain;
        CanWrite = canWrite;
        _limiter = store.Limiter(opened.Path);
    }

    public string Path { get; }

    public long Length { get; }

    public bool CanWrite { get; }

    public IReadOnlyList<string> Chain { get; }

    public async Task<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        if (offset < 0) throw new VhdArgumentException("offset", $"{offset} is negative");
        if (offset >= Length || buffer.Length == 0) return 0;
        int count = (int)Math.Min(buffer.Length, Length - offset);
        using var activity = DiskStore.StartSpan("vhd.read", Path);
        activity?.SetTag("vhd.offset", offset);
        activity?.SetTag("vhd.length", count);
        await _limiter.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var data = await _store.RequestAsync<ImageData>(new ReadImage(Path, offset, count, DiskStore.Context(activity), cancellationToken), activity, cancellationToken).ConfigureAwait(false);
            data.Data.CopyTo(buffer);
            return count;
        }
        finally
        {
            _limiter.Release();
        }
    }

    public async Task WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        if (!CanWrite) throw new VhdException($"{Path}: opened read-only");
        if (offset < 0 || offset > Length || data.Length > Length - offset)
            throw new VhdArgumentException("offset", $"range {offset}+{data.Length} is outside the disk (virtual size {Length})");
        if (data.IsEmpty) return;
        using var activity = DiskStore.StartSpan("vhd.write", Path);
        activity?.SetTag("vhd.offset", offset);
        activity?.SetTag("vhd.length", data.Length);
        // A private copy: a cancelled caller may reuse its buffer while the actor still holds the message.
        var copy = data.ToArray();
        await _limiter.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _store.RequestAsync<ImageAck>(new WriteImage(Path, offset, copy, DiskStore.Context(activity), cancellationToken), activity, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _limiter.Release();
        }
    }

    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        if (!CanWrite) return;
        using var activity = DiskStore.StartSpan("vhd.flush", Path);
        await _limiter.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _store.RequestAsync<ImageAck>(new FlushImage(Path, DiskStore.Context(activity), cancellationToken), activity, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _limiter.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _store.ReleaseAsync(Path).ConfigureAwait(false);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed != 0, this);
}
