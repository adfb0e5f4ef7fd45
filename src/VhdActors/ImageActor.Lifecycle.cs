using System.Runtime.ExceptionServices;
using Akka.Actor;
using Akka.Event;
using Storage.VhdActors.Messages;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;

namespace Storage.VhdActors;

/// <summary>The image actor's lifecycle: restart in place, idle retirement, freeze, close, and the lease.</summary>
internal sealed partial class ImageActor
{
    /// <inheritdoc />
    protected override void PreRestart(Exception reason, object message)
    {
        // The image stays open (and locked) for the next incarnation to reopen in place.
        RevokeLease();
        if (_flushOnClose) FlushQuietly();
        _keepOpen = true;
        base.PreRestart(reason, message);
    }

    /// <inheritdoc />
    protected override void PostRestart(Exception reason)
    {
        base.PostRestart(reason);
        VhdTelemetry.ActorRestarts.Add(1);
        _log.Warning("{0}: restarted after {1}; reopening", _path, reason.Message);
        // Reopen now, not on the next request: a failure here is an initialization failure the
        // supervisor counts against the restart budget, so a dead disk stops the actor instead of
        // failing every request one by one.
        if (Disk is { } held)
        {
            try
            {
                Disk = held.Reopen();
            }
            catch
            {
                // The file or its lock is gone: let go, and open afresh at the next restart.
                _hold.Release();
                throw;
            }
            return;
        }
        Adopt(VirtualDisk.Open(_fs, _path, _access, OpenOptions(_access)));
        // This incarnation began without an image (the last one let go of it): it has one now.
        Become(Serving);
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        if (_keepOpen) RevokeLease();
        else CloseDisk(flush: _flushOnClose);
    }

    /// <summary>Lends the open disk to a handle in this process (a caller on another node keeps to messages).</summary>
    private void Lend()
    {
        if (!Sender.Path.Address.HasLocalScope)
            ImageReplies.Fail(Sender, new NotSupportedException($"{_path}: inline I/O is only for callers on this node"));
        else
            Sender.Tell(_lease ??= new DiskLease(RequireDisk(), Self, _options.Clock));
    }

    /// <summary>
    /// A request under the lease failed in a way the supervisor must hear about: what
    /// <see cref="Run"/> does after replying (the handle has told the caller already).
    /// </summary>
    private void FailFromLease(Exception e)
    {
        RevokeLease();
        _flushOnClose = e is VhdIOException { DiskUsable: true };
        _parent.Failing(Context, _path, VhdErrors.ForCaller(e, _path));
        ExceptionDispatchInfo.Throw(e);
    }

    private void OnIdle()
    {
        // Requests under the lease reach the disk without a message: busy all the same.
        if (_lease is { } lease && _options.IdleTimeout is { } idle && lease.UsedWithin(idle))
        {
            _log.Debug("{0}: idle timer, but inline requests ran within {1}; staying open", _path, idle);
            return;
        }
        _parent.Idle(Context, _path);
    }

    private void RevokeLease()
    {
        _lease?.Revoke();
        _lease = null;
    }

    private void FlushQuietly()
    {
        try
        {
            if (Disk is { CanWrite: true } disk) disk.Flush();
        }
        catch (Exception e)
        {
            _log.Warning("{0}: flush before reopening failed: {1}", _path, e.Message);
        }
    }

    /// <summary>Explicit close: flushed and closed, and the actor stops either way (a failed flush is the caller's news).</summary>
    private object Close()
    {
        try { CloseDisk(flush: _flushOnClose, throwOnError: true); }
        finally { Context.Stop(Self); }
        return ImageAck.Instance;
    }

    /// <summary>Idle: flushed, the actor stops and the image stays open in the hold; if the flush fails, it is closed.</summary>
    private object Retire()
    {
        RevokeLease();
        try
        {
            if (_flushOnClose && Disk is { CanWrite: true } disk) disk.Flush();
            _keepOpen = _flushOnClose && Disk is not null;
        }
        finally
        {
            Context.Stop(Self);
        }
        return ImageAck.Instance;
    }

    /// <summary>
    /// Before a snapshot: flushed, marked read-only, and the lock downgraded in place to shared, so
    /// the image goes from this writer to the child's parent with nobody else able to write it.
    /// </summary>
    private object Freeze()
    {
        RevokeLease();
        try
        {
            var disk = RequireDisk();
            if (disk.CanWrite) disk.Flush();
            var attributes = _fs.File.GetAttributes(_path);
            if ((attributes & FileAttributes.ReadOnly) == 0) _fs.File.SetAttributes(_path, attributes | FileAttributes.ReadOnly);
            if (disk.CanWrite) Disk = disk.ReopenReadOnly();
            _keepOpen = true;
        }
        finally
        {
            Context.Stop(Self);
        }
        return ImageAck.Instance;
    }

    private void CloseDisk(bool flush, bool throwOnError = false)
    {
        RevokeLease();
        var disk = Disk;
        if (disk is null) return;
        try
        {
            if (flush && disk.CanWrite) disk.Flush();
        }
        catch (Exception e) when (!throwOnError)
        {
            _log.Warning("{0}: flush on close failed: {1}", _path, e.Message);
        }
        finally
        {
            _hold.Release();
        }
    }
}
