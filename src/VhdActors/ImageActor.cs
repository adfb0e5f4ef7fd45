using Storage.VhdEngine;
using System.Diagnostics;
using System.IO.Abstractions;
using System.Runtime.ExceptionServices;
using Akka.Actor;
using Akka.Event;
using Storage.VhdActors.Messages;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Maintenance;

namespace Storage.VhdActors;

/// <summary>
/// Owns one open image (DESIGN.md §7): the only code that touches its <see cref="VirtualDisk"/>,
/// so allocation, bitmap and footer state have a single writer and requests to one image are
/// linearized by the mailbox. Runs on the I/O dispatcher because every request blocks on the
/// file. The first request (open, create or snapshot) decides how the image comes to be, unless
/// the actor adopts an image its predecessor kept open. The image's lock lasts as long as the
/// image is open (DESIGN.md §10), which is longer than the actor when it retires: the open image
/// lives in an <see cref="ImageHold"/>. After a restart the actor reopens the image over the same
/// file and lock; only if that fails does it let go and open it afresh, and if another owner took
/// the image meanwhile it stops, failing every request with a <see cref="VhdImageInUseException"/>.
/// </summary>
public sealed class ImageActor : UntypedActor
{
    private readonly IFileSystem _fs;
    private readonly string _path;
    private readonly FileAccess _access;
    private readonly VhdStorageOptions _options;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly ImageHold _hold;

    // The disk lent to the facade's handles for inline I/O (DiskLease); revoked before the disk
    // is flushed, closed or given up, so no inline request ever touches it after that.
    private DiskLease? _lease;

    // False once an error may have left the in-memory state behind the file's: closing then
    // must not flush (it would write metadata the engine no longer vouches for).
    private bool _flushOnClose = true;

    // Set when this incarnation ends but the image stays open in the hold (restart, idle close,
    // freeze): PostStop, which the base PreRestart calls too, then leaves it open.
    private bool _keepOpen;

    // Why the image could not be opened (or created): every request still queued gets this answer.
    private VhdException? _openFailure;

    /// <summary>Creates the actor; use <see cref="Props(IFileSystem, string, FileAccess, VhdStorageOptions)"/>.</summary>
    public ImageActor(IFileSystem fs, string path, FileAccess access, VhdStorageOptions options)
        : this(fs, path, access, options, new ImageHold())
    {
    }

    private ImageActor(IFileSystem fs, string path, FileAccess access, VhdStorageOptions options, ImageHold hold)
    {
        _fs = fs;
        _path = path;
        _access = access;
        _options = options;
        _hold = hold;
    }

    /// <summary>Props for the actor of the image at <paramref name="path"/>, on the configured I/O dispatcher.</summary>
    public static Props Props(IFileSystem fs, string path, FileAccess access, VhdStorageOptions options) =>
        Props(fs, path, access, options, new ImageHold());

    /// <summary>Props over <paramref name="hold"/>: every incarnation of the actor (restarts) shares it; it may already hold the image.</summary>
    internal static Props Props(IFileSystem fs, string path, FileAccess access, VhdStorageOptions options, ImageHold hold) =>
        Akka.Actor.Props.CreateBy(new ImageActorProducer(() => new ImageActor(fs, path, access, options, hold))).WithDispatcher(options.Dispatcher);

    private VirtualDisk? Disk { get => _hold.Disk; set => _hold.Disk = value; }

    /// <inheritdoc />
    protected override void PreStart()
    {
        if (_options.IdleTimeout is { } idle) Context.SetReceiveTimeout(idle);
    }

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
        Disk = VirtualDisk.Open(_fs, _path, _access, OpenOptions(_access));
        VhdTelemetry.ImagesOpen.Add(1);
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        if (_keepOpen) RevokeLease();
        else CloseDisk(flush: _flushOnClose);
    }

    /// <inheritdoc />
    protected override void OnReceive(object message)
    {
        if (_openFailure is { } failed && message is IImageRequest)
        {
            Sender.Tell(new Status.Failure(failed));
            return;
        }
        switch (message)
        {
            case ReadImage m:
                Run(m, "vhd.read", "read", () =>
                {
                    if (m.Length < 0) throw new VhdArgumentException("length", $"{m.Length} is negative");
                    var disk = RequireDisk();
                    var data = new byte[m.Length];
                    disk.Read(m.Offset, data);
                    return new ImageData(data);
                }, a => a?.SetTag("vhd.offset", m.Offset).SetTag("vhd.length", m.Length));
                break;
            case WriteImage m:
                Run(m, "vhd.write", "write", () =>
                {
                    RequireDisk().Write(m.Offset, m.Data.Span);
                    return ImageAck.Instance;
                }, a => a?.SetTag("vhd.offset", m.Offset).SetTag("vhd.length", m.Data.Length));
                break;
            case QueryAllocation m:
                Run(m, "vhd.allocation", null, () => AllocationRuns.Next(RequireDisk(), m.Offset, m.Length),
                    a => a?.SetTag("vhd.offset", m.Offset).SetTag("vhd.length", m.Length));
                break;
            case FlushImage m:
                Run(m, "vhd.flush", "flush", () =>
                {
                    RequireDisk().Flush();
                    return ImageAck.Instance;
                });
                break;
            case OpenImage m:
                Run(m, "vhd.open", null, () =>
                {
                    if (Disk is null) Adopt(VirtualDisk.Open(_fs, _path, m.Access, OpenOptions(m.Access)));
                    else if (m.Access != FileAccess.Read && !Disk.CanWrite)
                        throw new VhdException($"{_path}: open read-only; close it before opening it for writing");
                    return Opened();
                }, a => a?.SetTag("vhd.open.mode", m.Access == FileAccess.Read ? "read" : "readwrite"));
                break;
            case CreateImage m:
                Run(m, "vhd.open", null, () =>
                {
                    if (Disk is not null) throw new VhdException($"{_path}: already exists (it is open)");
                    Adopt(VirtualDisk.Create(_fs, _path, m.Options));
                    return Opened();
                }, a => a?.SetTag("vhd.open.mode", "create"));
                break;
            case SnapshotImage m:
                Run(m, "vhd.snapshot", null, () =>
                {
                    if (Disk is not null) throw new VhdException($"{_path}: already exists (it is open)");
                    // The engine's snapshot also marks the parent file read-only, as the tool does.
                    Adopt(Committer.Snapshot(_fs, m.ParentPath, _path, OpenOptions(FileAccess.ReadWrite)));
                    return Opened();
                }, a => a?.SetTag("vhd.parent", m.ParentPath));
                break;
            case CloseImage m:
                Run(m, "vhd.flush", "flush", () =>
                {
                    // Stopping either way: a failed flush is the caller's news, not the supervisor's.
                    try { CloseDisk(flush: _flushOnClose, throwOnError: true); }
                    finally { Context.Stop(Self); }
                    return ImageAck.Instance;
                }, a => a?.SetTag("vhd.close", true), supervise: false);
                break;
            case RetireImage m:
                Run(m, "vhd.flush", "flush", () =>
                {
                    FlushOrClose();
                    return ImageAck.Instance;
                }, a => a?.SetTag("vhd.close", true), supervise: false);
                break;
            case FreezeImage m:
                Run(m, "vhd.flush", "flush", () =>
                {
                    Freeze();
                    return ImageAck.Instance;
                }, a => a?.SetTag("vhd.freeze", true), supervise: false);
                break;
            case LeaseImage:
                if (Disk is null) Sender.Tell(new Status.Failure(new VhdException($"{_path}: the image is not open")));
                else if (!Sender.Path.Address.HasLocalScope) Sender.Tell(new Status.Failure(new VhdException($"{_path}: inline I/O is only for callers on this node")));
                else Sender.Tell(_lease ??= new DiskLease(Disk, Self, _options.Clock));
                break;
            case LeaseFailed m:
                // A stale lease (the disk was closed or reopened since) needs nothing more.
                if (ReferenceEquals(m.Lease, _lease)) FailFromLease(m.Error);
                break;
            case InspectImage:
                Sender.Tell((object?)Disk ?? new Status.Failure(new VhdException($"{_path}: not open")));
                break;
            case ReceiveTimeout:
                // Requests under the lease reach the disk without a message: busy all the same.
                if (_lease is { } lease && _options.IdleTimeout is { } idle && lease.UsedWithin(idle))
                {
                    _log.Debug("{0}: idle timer, but inline requests ran within {1}; staying open", _path, idle);
                    break;
                }
                // The parent decides: it stops routing here first, so no request is lost between
                // the decision and the close.
                Context.Parent.Tell(new ImageIdle(_path, Self));
                break;
            case IImageRequest other:
                // E.g. a commit sent through a shard region: refused, never left unanswered.
                Sender.Tell(new Status.Failure(new VhdException($"{_path}: {other.GetType().Name} is not something an image actor does (send it to the image manager)")));
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <summary>
    /// Runs one request: the actor's span (parented to the caller's context), the duration
    /// metric, and exactly one reply. On an error the reply goes out before the rethrow, so
    /// the caller learns of the failure even though the supervisor then restarts or stops us.
    /// </summary>
    private void Run(IImageRequest request, string span, string? timedOperation, Func<object> operation, Action<Activity?>? tag = null, bool supervise = true)
    {
        var sender = Sender;
        if (request.Cancellation.IsCancellationRequested)
        {
            sender.Tell(new Status.Failure(new VhdException($"{_path}: the request was cancelled before it ran", new OperationCanceledException(request.Cancellation))));
            return;
        }
        // The span ends before the reply goes out, so a caller that has its answer also sees
        // the whole trace (the exporter gets spans as they end).
        var activity = VhdTelemetry.ActivitySource.StartActivity(span, ActivityKind.Server, request.TraceContext);
        activity?.SetTag("vhd.image", _path);
        tag?.Invoke(activity);
        long start = Stopwatch.GetTimestamp();
        object result;
        try
        {
            result = operation();
        }
        catch (Exception e)
        {
            var error = VhdErrors.ForCaller(e, _path);
            activity?.SetStatus(ActivityStatusCode.Error, error.Message);
            activity?.AddException(error);
            activity?.Dispose();
            bool supervised = supervise && VhdErrors.NeedsSupervisor(e);
            // Before the caller hears of it: the parent must route the caller's next request for
            // this path to a new actor, not to this one, which is about to stop.
            if (!supervised && Disk is null) Context.Parent.Tell(new ImageOpenFailed(_path, error));
            // Reply first: the supervisor restarts or stops us after the rethrow, and the
            // caller must not have to wait for a timeout to learn of the failure.
            sender.Tell(new Status.Failure(error));
            if (supervised)
            {
                _flushOnClose = e is VhdIOException { DiskUsable: true };
                Context.Parent.Tell(new ImageFailed(_path, error));
                throw;
            }
            // A failed first open or create that is not an I/O error (no such file, bad argument,
            // the image is someone else's): there is no image to own, so the actor has no reason
            // to live; requests already queued behind the open get its error, then it stops.
            if (Disk is null)
            {
                _openFailure = error;
                Self.Tell(PoisonPill.Instance);
            }
            return;
        }
        if (timedOperation is not null)
            VhdTelemetry.IoDuration.Record(Stopwatch.GetElapsedTime(start).TotalSeconds, new KeyValuePair<string, object?>("vhd.operation", timedOperation));
        activity?.Dispose();
        sender.Tell(result);
    }

    /// <summary>
    /// A request under the lease failed in a way the supervisor must hear about: what
    /// <see cref="Run"/> does after replying (the handle has told the caller already).
    /// </summary>
    private void FailFromLease(Exception e)
    {
        _lease?.Revoke();
        _lease = null;
        _flushOnClose = e is VhdIOException { DiskUsable: true };
        Context.Parent.Tell(new ImageFailed(_path, VhdErrors.ForCaller(e, _path)));
        ExceptionDispatchInfo.Throw(e);
    }

    private VirtualDisk RequireDisk() => Disk ?? throw new VhdException($"{_path}: the image is not open");

    /// <summary>Force-share is for readers only: a writable open always locks exclusively.</summary>
    private VhdOpenOptions? OpenOptions(FileAccess access) =>
        access == FileAccess.Read || _options.OpenOptions is not { ForceShare: true } shared ? _options.OpenOptions : shared with { ForceShare = false };

    private void Adopt(VirtualDisk disk)
    {
        Disk = disk;
        _flushOnClose = true;
        VhdTelemetry.ImagesOpen.Add(1);
    }

    private ImageOpened Opened() => new(_path, Disk!.Length, Disk.CanWrite, Disk.Chain);

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

    /// <summary>Idle: flushed, the actor stops and the image stays open in the hold; if the flush fails, it is closed.</summary>
    private void FlushOrClose()
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
    }

    /// <summary>
    /// Before a snapshot: flushed, marked read-only, and the lock downgraded in place to shared, so
    /// the image goes from this writer to the child's parent with nobody else able to write it.
    /// </summary>
    private void Freeze()
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
