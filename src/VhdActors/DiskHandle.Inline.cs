using System.Runtime.ExceptionServices;
using Akka.Actor;
using Storage.VhdActors.Messages;

namespace Storage.VhdActors;

/// <summary>The handle's inline I/O under the lease, and the checks every path shares.</summary>
internal sealed partial class DiskHandle
{
    /// <summary>
    /// One read (into <paramref name="readInto"/>) or write (of <paramref name="writeFrom"/>) under the
    /// lease, with the span and the metric the actor would record. Nothing is done when the lease was
    /// revoked, or when a write would allocate (those go to the actor). A failure the supervisor must
    /// hear about also abandons the lease and goes to the actor, which restarts or stops as if its own
    /// request had failed.
    /// </summary>
    private InlineOutcome TryInline(DiskLease lease, long offset, Span<byte> readInto, ReadOnlySpan<byte> writeFrom, bool write)
    {
        if (!lease.TryEnter(out var disk))
        {
            _image.Forget(lease);
            return InlineOutcome.NoLease;
        }
        try
        {
            // The actor stays the only writer of allocation, bitmap and footer state (DESIGN.md §7).
            if (write && !disk.CanWriteInPlace(offset, writeFrom.Length)) return InlineOutcome.NeedsActor;
            var operation = Operation.Request(write ? "vhd.write" : "vhd.read", Path, offset, write ? writeFrom.Length : readInto.Length, _store.Options);
            try
            {
                if (write) disk.Write(offset, writeFrom);
                else disk.Read(offset, readInto);
            }
            catch (Exception e)
            {
                var error = operation.Fail(e, Path);
                if (VhdErrors.NeedsSupervisor(e))
                {
                    lease.Abandon();
                    _image.Forget(lease);
                    lease.Owner.Tell(new LeaseFailed(lease, e), ActorRefs.NoSender);
                }
                ExceptionDispatchInfo.Throw(error);
            }
            operation.Complete();
            return InlineOutcome.Done;
        }
        finally
        {
            lease.Exit();
        }
    }

    /// <summary>Bytes a read at <paramref name="offset"/> returns: fewer only at the end of the disk.</summary>
    private int Count(long offset, int length) => (int)Math.Min(length, Length - offset);

    /// <summary>Checks a read; returns the bytes it will return (0 at or past the end of the disk).</summary>
    private int CheckRead(long offset, int length, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        if (cancellationToken.IsCancellationRequested) throw VhdErrors.Cancelled(Path, cancellationToken);
        if (offset < 0) throw new ArgumentOutOfRangeException(nameof(offset), offset, $"{Path}: a read at a negative offset");
        return offset >= Length ? 0 : Count(offset, length);
    }

    private void CheckWrite(long offset, long length, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        if (cancellationToken.IsCancellationRequested) throw VhdErrors.Cancelled(Path, cancellationToken);
        if (!CanWrite)
            throw new NotSupportedException(_image.Frozen
                ? $"{Path}: the image is the frozen parent of a snapshot; write to its child"
                : $"{Path}: the handle was opened read-only");
        if (offset < 0 || length < 0 || offset > Length || length > Length - offset)
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"{Path}: a write of {length} bytes at {offset} is outside the disk (virtual size {Length})");
    }

    private void ThrowIfDisposed()
    {
        if (Volatile.Read(ref _disposed) != 0) throw new ObjectDisposedException(nameof(IDisk), $"{Path}: the disk handle was disposed");
    }
}
