namespace Storage.VhdActors;

/// <summary>
/// What one store knows of an image its handles have open: how many handles, the in-flight limit
/// their messages share, the lease they share, and whether a snapshot froze it. Made by the first
/// handle's open and dropped (limiter included) with the last handle; a call still running on
/// a disposed handle keeps its own reference.
/// </summary>
internal sealed class StoreImage(string path, int maxInFlight)
{
    private DiskLease? _lease;
    private volatile bool _frozen;
    private volatile bool _leaseRefused;

    /// <summary>Full path of the image.</summary>
    public string Path { get; } = path;

    /// <summary>
    /// The back-pressure on messages: at most <see cref="VhdStorageOptions.MaxInFlightPerImage"/> requests
    /// of this store's handles wait at the image's actor; more callers wait here, asynchronously, so a
    /// fast writer fills no mailbox with buffers. (It orders nothing: the mailbox does that.)
    /// </summary>
    public SemaphoreSlim Limiter { get; } = new(maxInFlight);

    /// <summary>Open handles on the image in this store (changed under the store's lock).</summary>
    public int Handles { get; set; }

    /// <summary>A snapshot made the image the frozen parent of a child: no handle writes it any more.</summary>
    public bool Frozen { get => _frozen; set => _frozen = value; }

    /// <summary>The actor will not lend the disk (its image is on another node): messages only.</summary>
    public bool LeaseRefused { get => _leaseRefused; set => _leaseRefused = value; }

    /// <summary>The lease the handles share, while it is valid.</summary>
    public DiskLease? Lease => Volatile.Read(ref _lease) is { IsValid: true } lease ? lease : null;

    /// <summary>Keeps <paramref name="lease"/> for every handle.</summary>
    public void Keep(DiskLease lease) => Volatile.Write(ref _lease, lease);

    /// <summary>Forgets <paramref name="lease"/> (revoked), unless a newer one replaced it.</summary>
    public void Forget(DiskLease lease) => Interlocked.CompareExchange(ref _lease, null, lease);
}
