using Storage.VhdEngine;
using System.Diagnostics;
using Akka.Actor;
using Storage.VhdActors.Messages;

namespace Storage.VhdActors;

/// <summary>
/// One <see cref="IDisk"/> handle. Requests wait (asynchronously) for a slot of the image's
/// in-flight limit before they are sent: that, not a bounded mailbox, is the back-pressure, so a
/// fast writer is slowed at the caller instead of filling memory with queued buffers, and the
/// actor never has to drop or block on a full mailbox. With <see cref="VhdStorageOptions.InlineIo"/>
/// reads and writes run on the caller's thread under the actor's <see cref="DiskLease"/> (same
/// checks, spans, metric and errors as the actor's own), and take the message path only while
/// the actor cannot lend the disk.
/// </summary>
internal sealed class DiskHandle : IDisk
{
    private readonly DiskStore _store;
    private readonly SemaphoreSlim _limiter;
    private int _disposed;

    // Inline I/O: the lease in use (null: none yet, or revoked), whether the actor refused one
    // (then this handle keeps to messages), and the last completed read result (no allocation
    // per read of the same size).
    private static readonly KeyValuePair<string, object?> ReadTag = new("vhd.operation", "read");
    private static readonly KeyValuePair<string, object?> WriteTag = new("vhd.operation", "write");
    private DiskLease? _lease;
    private bool _leaseRefused;
    private Task<int>? _lastRead;

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

    public Task<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // The fast path: a lease in hand and an ordinary request; everything else goes the long way.
        if (Volatile.Read(ref _lease) is { } lease && _disposed == 0 && offset >= 0 && offset < Length && !buffer.IsEmpty)
        {
            if (cancellationToken.IsCancellationRequested) return Task.FromCanceled<int>(cancellationToken);
            int count = (int)Math.Min(buffer.Length, Length - offset);
            try
            {
                if (RunInline(lease, write: false, offset, buffer.Span[..count], default) == InlineOutcome.Done) return ReadDone(count);
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
        ThrowIfDisposed();
        if (offset < 0) throw new VhdArgumentException("offset", $"{offset} is negative");
        if (offset >= Length || buffer.Length == 0) return 0;
        int count = (int)Math.Min(buffer.Length, Length - offset);
        while (await LeaseAsync(cancellationToken).ConfigureAwait(false) is { } lease)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (RunInline(lease, write: false, offset, buffer.Span[..count], default) == InlineOutcome.Done) return count;
        }
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

    public Task WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _lease) is { } lease && _disposed == 0 && CanWrite && offset >= 0 && offset <= Length && data.Length <= Length - offset && !data.IsEmpty)
        {
            if (cancellationToken.IsCancellationRequested) return Task.FromCanceled(cancellationToken);
            try
            {
                if (RunInline(lease, write: true, offset, default, data.Span) == InlineOutcome.Done) return Task.CompletedTask;
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
        ThrowIfDisposed();
        if (!CanWrite) throw new VhdException($"{Path}: opened read-only");
        if (offset < 0 || offset > Length || data.Length > Length - offset)
            throw new VhdArgumentException("offset", $"range {offset}+{data.Length} is outside the disk (virtual size {Length})");
        if (data.IsEmpty) return;
        while (await LeaseAsync(cancellationToken).ConfigureAwait(false) is { } lease)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var outcome = RunInline(lease, write: true, offset, default, data.Span);
            if (outcome == InlineOutcome.Done) return;
            if (outcome == InlineOutcome.NeedsActor) break;
        }
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

    public ValueTask<DiskAllocation> GetAllocationAsync(long offset, long length, CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _lease) is { } lease && _disposed == 0)
        {
            if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled<DiskAllocation>(cancellationToken);
            try
            {
                if (AllocationInline(lease, offset, length) is { } done) return new(done);
            }
            catch (VhdException e)
            {
                return ValueTask.FromException<DiskAllocation>(e);
            }
        }
        return new(GetAllocationSlowAsync(offset, length, cancellationToken));
    }

    private async Task<DiskAllocation> GetAllocationSlowAsync(long offset, long length, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        AllocationRuns.Check(offset, length, Length);
        while (await LeaseAsync(cancellationToken).ConfigureAwait(false) is { } lease)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (AllocationInline(lease, offset, length) is { } done) return done;
        }
        using var activity = DiskStore.StartSpan("vhd.allocation", Path);
        activity?.SetTag("vhd.offset", offset);
        activity?.SetTag("vhd.length", length);
        await _limiter.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await _store.RequestAsync<DiskAllocation>(new QueryAllocation(Path, offset, length, DiskStore.Context(activity), cancellationToken), activity, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _limiter.Release();
        }
    }

    /// <summary>
    /// The allocation query under the lease: it reads only the in-memory tables, so it cannot fail
    /// in a way the supervisor must hear of. Null when the lease was revoked.
    /// </summary>
    private DiskAllocation? AllocationInline(DiskLease lease, long offset, long length)
    {
        if (!lease.TryEnter(out var disk))
        {
            Interlocked.CompareExchange(ref _lease, null, lease);
            return null;
        }
        try
        {
            using var activity = DiskStore.StartSpan("vhd.allocation", Path);
            activity?.SetTag("vhd.offset", offset);
            activity?.SetTag("vhd.length", length);
            try
            {
                return AllocationRuns.Next(disk, offset, length);
            }
            catch (VhdException e)
            {
                throw DiskStore.Fail(activity, e);
            }
        }
        finally
        {
            lease.Exit();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _store.ReleaseAsync(Path).ConfigureAwait(false);
    }

    /// <summary>
    /// A usable lease: the one in hand, else a new one asked of the actor through the in-flight
    /// limiter (so it is granted only after every request this store sent before it has run).
    /// Null when inline I/O is off or the actor will not lend the disk: use messages.
    /// </summary>
    private async ValueTask<DiskLease?> LeaseAsync(CancellationToken cancellationToken)
    {
        if (!_store.InlineIo || Volatile.Read(ref _leaseRefused)) return null;
        if (Volatile.Read(ref _lease) is { IsValid: true } held) return held;
        await _limiter.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var lease = await _store.RequestAsync<DiskLease>(new LeaseImage(Path, default, cancellationToken), null, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _lease, lease);
            return lease;
        }
        catch (VhdException) when (!cancellationToken.IsCancellationRequested)
        {
            // Another node's image, or the image is gone: the message path says which, request by request.
            Volatile.Write(ref _leaseRefused, true);
            return null;
        }
        finally
        {
            _limiter.Release();
        }
    }

    /// <summary>
    /// One read (into <paramref name="readInto"/>) or write (of <paramref name="writeFrom"/>) under the lease, with
    /// the spans and the duration metric the actor would record. Nothing is done when the lease was
    /// revoked, or when a write would allocate (those go to the actor). A failure is thrown as the caller's <see cref="VhdException"/>; one the
    /// supervisor must hear about also revokes the lease and goes to the actor, which restarts or
    /// stops as if its own request had failed, before any later request reaches it.
    /// </summary>
    private InlineOutcome RunInline(DiskLease lease, bool write, long offset, Span<byte> readInto, ReadOnlySpan<byte> writeFrom)
    {
        if (!lease.TryEnter(out var disk))
        {
            Interlocked.CompareExchange(ref _lease, null, lease);
            return InlineOutcome.Revoked;
        }
        try
        {
            // The actor stays the only writer of allocation, bitmap and footer state (DESIGN.md §7):
            // only writes into space already allocated run here.
            if (write && !disk.CanWriteInPlace(offset, writeFrom.Length)) return InlineOutcome.NeedsActor;
            string span = write ? "vhd.write" : "vhd.read";
            int length = write ? writeFrom.Length : readInto.Length;
            using var activity = DiskStore.StartSpan(span, Path);
            activity?.SetTag("vhd.offset", offset);
            activity?.SetTag("vhd.length", length);
            var server = VhdTelemetry.ActivitySource.StartActivity(span, ActivityKind.Server, DiskStore.Context(activity));
            server?.SetTag("vhd.image", Path).SetTag("vhd.offset", offset).SetTag("vhd.length", length);
            long start = Stopwatch.GetTimestamp();
            try
            {
                if (write) disk.Write(offset, writeFrom);
                else disk.Read(offset, readInto);
            }
            catch (Exception e)
            {
                var error = VhdErrors.ForCaller(e, Path);
                server?.SetStatus(ActivityStatusCode.Error, error.Message);
                server?.AddException(error);
                server?.Dispose();
                if (VhdErrors.NeedsSupervisor(e))
                {
                    // Still inside the lease: no other request runs on this disk before the actor has heard.
                    lease.Revoke();
                    Interlocked.CompareExchange(ref _lease, null, lease);
                    lease.Owner.Tell(new LeaseFailed(lease, e), ActorRefs.NoSender);
                }
                throw DiskStore.Fail(activity, error);
            }
            VhdTelemetry.IoDuration.Record(Stopwatch.GetElapsedTime(start).TotalSeconds, write ? WriteTag : ReadTag);
            server?.Dispose();
            return InlineOutcome.Done;
        }
        finally
        {
            lease.Exit();
        }
    }

    /// <summary>The lease in hand (tests).</summary>
    internal DiskLease? CurrentLease => Volatile.Read(ref _lease);

    private Task<int> ReadDone(int count)
    {
        var done = _lastRead;
        if (done is null || done.Result != count) _lastRead = done = Task.FromResult(count);
        return done;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed != 0, this);
}
