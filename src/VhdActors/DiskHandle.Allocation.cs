using Storage.VhdActors.Messages;
using Storage.VhdEngine;

namespace Storage.VhdActors;

/// <summary>The handle's allocation queries (<see cref="IDisk.GetAllocationAsync"/>): inline under the lease, else a message.</summary>
internal sealed partial class DiskHandle
{
    public ValueTask<DiskAllocation> GetAllocationAsync(long offset, long length, CancellationToken cancellationToken = default)
    {
        if (!cancellationToken.IsCancellationRequested && _disposed == 0 && _image.Lease is { } lease)
        {
            try
            {
                if (AllocationInline(lease, offset, length) is { } done) return new(done);
            }
            catch (Exception e)
            {
                return ValueTask.FromException<DiskAllocation>(e);
            }
        }
        return new(GetAllocationSlowAsync(offset, length, cancellationToken));
    }

    private async Task<DiskAllocation> GetAllocationSlowAsync(long offset, long length, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        if (cancellationToken.IsCancellationRequested) throw VhdErrors.Cancelled(Path, cancellationToken);
        AllocationRuns.Check(Path, offset, length, Length);
        if (await LeaseAsync(cancellationToken).ConfigureAwait(false) is { } lease && AllocationInline(lease, offset, length) is { } done)
            return done;
        var operation = Operation.Request("vhd.allocation", Path, offset, length, _store.Options, System.Diagnostics.ActivityKind.Client);
        return await SendAsync<DiskAllocation>(new QueryAllocation(Path, offset, length, operation.Context, cancellationToken), operation, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The allocation query under the lease: it reads only the in-memory tables, so it cannot fail
    /// in a way the supervisor must hear of. Null when there is no usable lease.
    /// </summary>
    private DiskAllocation? AllocationInline(DiskLease lease, long offset, long length)
    {
        if (!lease.TryEnter(out var disk))
        {
            _image.Forget(lease);
            return null;
        }
        try
        {
            var operation = Operation.Request("vhd.allocation", Path, offset, length, _store.Options);
            try
            {
                var run = AllocationRuns.Next(disk, offset, length);
                operation.Complete();
                return run;
            }
            catch (VhdException e)
            {
                throw operation.Fail(e, Path);
            }
        }
        finally
        {
            lease.Exit();
        }
    }
}
