namespace Storage.VhdActors.Messages;

/// <summary>
/// A request under <paramref name="Lease"/> failed with an error the supervisor must hear about
/// (I/O or format error, or a bug): the actor handles it as if its own request had failed
/// (restart and reopen, or stop). The handle has already revoked the lease and failed the request.
/// </summary>
/// <param name="Lease">The lease the request ran under (a stale one is ignored).</param>
/// <param name="Error">What the engine threw.</param>
internal sealed record LeaseFailed(DiskLease Lease, Exception Error);
