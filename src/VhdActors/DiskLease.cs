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
/// does one of those (close, idle close, snapshot, reopen, commit, restart), waiting for a request
/// in progress to finish. Requests under the lease are serialized by the lease's lock (and the
/// engine's), so they stay linearizable with the actor's own operations on the disk. A handle whose
/// lease is revoked falls back to messages, which queue behind the actor's work as before.
/// </summary>
internal sealed class DiskLease
{
    private readonly object _gate = new();
    private readonly TimeProvider _clock;
    private VirtualDisk? _disk;
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
    public bool IsValid => Volatile.Read(ref _disk) is not null;

    /// <summary>True if a request ran under the lease within <paramref name="interval"/> (the actor is not idle then).</summary>
    public bool UsedWithin(TimeSpan interval) => _clock.GetElapsedTime(Volatile.Read(ref _lastUse)) < interval;

    /// <summary>
    /// Enters the lease: true with the disk, and the caller must call <see cref="Exit"/> when its
    /// request is done; false (and nothing held) once the lease is revoked.
    /// </summary>
    public bool TryEnter([NotNullWhen(true)] out VirtualDisk? disk)
    {
        Monitor.Enter(_gate);
        disk = _disk;
        if (disk is null)
        {
            Monitor.Exit(_gate);
            return false;
        }
        Volatile.Write(ref _lastUse, _clock.GetTimestamp());
        return true;
    }

    /// <summary>Leaves the lease entered by <see cref="TryEnter"/>.</summary>
    public void Exit() => Monitor.Exit(_gate);

    /// <summary>Ends the lease; returns once no request runs under it any more (a holder may call it too).</summary>
    public void Revoke()
    {
        lock (_gate) _disk = null;
    }
}
