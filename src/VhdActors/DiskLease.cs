using System.Diagnostics.CodeAnalysis;
using Akka.Actor;
using Storage.VhdEngine.Disks;

namespace Storage.VhdActors;

/// <summary>
/// Inline I/O (<see cref="VhdStorageOptions.InlineIo"/>): an image actor lends its open
/// <see cref="VirtualDisk"/> to the facade's handles so that reads, and writes that change no
/// allocation or bitmap state (<see cref="VirtualDisk.CanWriteInPlace"/>), run on the caller's
/// thread, without two thread hops per request. The actor keeps everything else: it opens,
/// flushes, closes, restarts and reopens the image, and it revokes the lease first whenever it
/// does one of those, waiting for the requests in progress to finish. The lease does not
/// serialize requests (the engine's lock does that); it only fences them off from a revocation:
/// a request that entered before <see cref="Revoke"/> finishes before it returns, one that comes
/// after finds the lease revoked and goes to the actor.
/// </summary>
internal sealed class DiskLease
{
    private readonly TimeProvider _clock;
    private readonly VirtualDisk _disk;
    private int _active;
    private int _revoked;
    private long _lastUse;

    public DiskLease(VirtualDisk disk, IActorRef owner, TimeProvider clock)
    {
        _disk = disk;
        Owner = owner;
        _clock = clock;
        _lastUse = clock.GetTimestamp();
    }

    /// <summary>The image actor that lent the disk; told of failures (<see cref="Messages.LeaseFailed"/>).</summary>
    public IActorRef Owner { get; }

    /// <summary>False once revoked.</summary>
    public bool IsValid => Volatile.Read(ref _revoked) == 0;

    /// <summary>True if a request ran under the lease within <paramref name="interval"/> (the actor is not idle then).</summary>
    public bool UsedWithin(TimeSpan interval) => _clock.GetElapsedTime(Volatile.Read(ref _lastUse)) < interval;

    /// <summary>
    /// Enters the lease: true with the disk, and the caller must call <see cref="Exit"/> when its
    /// request is done; false (and nothing held) once the lease is revoked.
    /// </summary>
    public bool TryEnter([NotNullWhen(true)] out VirtualDisk? disk)
    {
        // Both sides use full fences (Interlocked): either Revoke sees this request active and
        // waits for it, or this request sees the revocation and backs out.
        Interlocked.Increment(ref _active);
        if (Volatile.Read(ref _revoked) != 0)
        {
            Interlocked.Decrement(ref _active);
            disk = null;
            return false;
        }
        Volatile.Write(ref _lastUse, _clock.GetTimestamp());
        disk = _disk;
        return true;
    }

    /// <summary>Leaves the lease entered by <see cref="TryEnter"/>.</summary>
    public void Exit() => Interlocked.Decrement(ref _active);

    /// <summary>The actor ends the lease; returns once no request runs under it any more.</summary>
    public void Revoke()
    {
        Interlocked.Exchange(ref _revoked, 1);
        var spin = new SpinWait();
        while (Volatile.Read(ref _active) > 0) spin.SpinOnce();
    }

    /// <summary>
    /// A request under the lease failed: no request starts under it from now on (they go to the
    /// actor, which hears of the failure first). Does not wait: the caller is itself inside.
    /// </summary>
    public void Abandon() => Interlocked.Exchange(ref _revoked, 1);
}
