using Storage.VhdActors.Messages;

namespace Storage.VhdActors;

/// <summary>
/// One <see cref="IDisk"/> handle. With <see cref="VhdStorageOptions.InlineIo"/> reads, and writes
/// into allocated space, run on the caller's thread under the actor's <see cref="DiskLease"/>; a write
/// that would allocate is found out by one check and goes to the actor as a message, as does
/// everything else. Messages wait (asynchronously) for a slot of the image's in-flight limit: that,
/// not a bounded mailbox, is the back-pressure. The synchronous members (used by
/// <see cref="VirtualDiskStream"/>) take the same paths without any async continuation.
/// </summary>
internal sealed partial class DiskHandle : IDisk
{
    private readonly DiskStore _store;
    private readonly StoreImage _image;
    private readonly bool _writable;
    private int _disposed;

    // The last completed read result: no allocation per inline read of the same size.
    private Task<int>? _lastRead;

    public DiskHandle(DiskStore store, StoreImage image, Messages.ImageOpened opened, bool writable)
    {
        _store = store;
        _image = image;
        Path = opened.Path;
        Length = opened.Length;
        Chain = opened.Chain;
        _writable = writable;
    }

    public string Path { get; }

    public long Length { get; }

    public bool CanWrite => _writable && !_image.Frozen && Volatile.Read(ref _disposed) == 0;

    public IReadOnlyList<string> Chain { get; }

    public Task<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // The fast path: an ordinary request and a lease in hand; everything else goes the long way.
        if (!cancellationToken.IsCancellationRequested && _disposed == 0 && offset >= 0 && offset < Length && !buffer.IsEmpty && _image.Lease is { } lease)
        {
            int count = Count(offset, buffer.Length);
            try
            {
                if (TryInline(lease, offset, buffer.Span[..count], default, write: false) == InlineOutcome.Done) return ReadDone(count);
            }
            catch (Exception e)
            {
                return Task.FromException<int>(e);
            }
        }
        return ReadSlowAsync(offset, buffer, cancellationToken);
    }

    private async Task<int> ReadSlowAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        int count = CheckRead(offset, buffer.Length, cancellationToken);
        if (count == 0) return 0;
        if (await LeaseAsync(cancellationToken).ConfigureAwait(false) is { } lease
            && TryInline(lease, offset, buffer.Span[..count], default, write: false) == InlineOutcome.Done)
            return count;
        var operation = Operation.Request("vhd.read", Path, offset, count, _store.Options, System.Diagnostics.ActivityKind.Client);
        var data = await SendAsync<ImageData>(new ReadImage(Path, offset, count, operation.Context, cancellationToken), operation, cancellationToken).ConfigureAwait(false);
        data.Data.CopyTo(buffer);
        return count;
    }

    public Task WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        if (!cancellationToken.IsCancellationRequested && CanWrite && offset >= 0 && offset <= Length && data.Length <= Length - offset && !data.IsEmpty && _image.Lease is { } lease)
        {
            try
            {
                switch (TryInline(lease, offset, default, data.Span, write: true))
                {
                    case InlineOutcome.Done: return Task.CompletedTask;
                    case InlineOutcome.NeedsActor: return WriteMessageAsync(offset, data, cancellationToken);
                }
            }
            catch (Exception e)
            {
                return Task.FromException(e);
            }
        }
        return WriteSlowAsync(offset, data, cancellationToken);
    }

    private async Task WriteSlowAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        CheckWrite(offset, data.Length, cancellationToken);
        if (data.IsEmpty) return;
        if (await LeaseAsync(cancellationToken).ConfigureAwait(false) is { } lease
            && TryInline(lease, offset, default, data.Span, write: true) == InlineOutcome.Done)
            return;
        await WriteMessageAsync(offset, data, cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteMessageAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var operation = Operation.Request("vhd.write", Path, offset, data.Length, _store.Options, System.Diagnostics.ActivityKind.Client);
        // A private copy: a cancelled caller may reuse its buffer while the actor still holds the message.
        await SendAsync<ImageAck>(new WriteImage(Path, offset, data.ToArray(), operation.Context, cancellationToken), operation, cancellationToken).ConfigureAwait(false);
    }

    public async Task DiscardAsync(long offset, long length, CancellationToken cancellationToken = default)
    {
        CheckWrite(offset, length, cancellationToken);
        if (length == 0) return;
        var operation = Operation.Request("vhd.discard", Path, offset, length, _store.Options, System.Diagnostics.ActivityKind.Client);
        await SendAsync<ImageAck>(new DiscardImage(Path, offset, length, operation.Context, cancellationToken), operation, cancellationToken).ConfigureAwait(false);
    }

    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        if (!CanWrite)
        {
            if (cancellationToken.IsCancellationRequested) throw VhdErrors.Cancelled(Path, cancellationToken);
            return;
        }
        var operation = Operation.Start("vhd.flush", Path, System.Diagnostics.ActivityKind.Client);
        await SendAsync<ImageAck>(new FlushImage(Path, operation.Context, cancellationToken), operation, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _store.ReleaseAsync(_image).ConfigureAwait(false);
    }

    /// <summary>A message through the image's in-flight limit.</summary>
    private async Task<T> SendAsync<T>(IImageRequest request, Operation operation, CancellationToken cancellationToken)
    {
        try
        {
            await _image.Limiter.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException e)
        {
            throw operation.Fail(VhdErrors.Cancelled(Path, cancellationToken, e), Path);
        }
        try
        {
            return await _store.RequestAsync<T>(request, operation, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _image.Limiter.Release();
        }
    }

    /// <summary>
    /// The lease the image's handles share, else a new one asked of the actor. Null when inline I/O
    /// is off or the actor will not lend the disk: then messages.
    /// </summary>
    private async ValueTask<DiskLease?> LeaseAsync(CancellationToken cancellationToken)
    {
        if (!_store.Options.InlineIo || _image.LeaseRefused) return null;
        if (_image.Lease is { } held) return held;
        try
        {
            var lease = await _store.RequestAsync<DiskLease>(new LeaseImage(Path, default, cancellationToken), default, cancellationToken).ConfigureAwait(false);
            _image.Keep(lease);
            return lease;
        }
        catch (NotSupportedException)
        {
            // Another node's image: the message path, request by request.
            _image.LeaseRefused = true;
            return null;
        }
    }

    private Task<int> ReadDone(int count)
    {
        var done = _lastRead;
        if (done is null || done.Result != count) _lastRead = done = Task.FromResult(count);
        return done;
    }
}
