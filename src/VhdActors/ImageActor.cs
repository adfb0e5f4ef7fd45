using System.Diagnostics;
using System.IO.Abstractions;
using Akka.Actor;
using Akka.Event;
using Storage.VhdActors.Messages;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Maintenance;

namespace Storage.VhdActors;

/// <summary>
/// Owns one open image (DESIGN.md §7): the only code that changes its allocation, bitmap and footer
/// state, so requests to one image are linearized by the mailbox. Runs on the I/O dispatcher because
/// every request blocks on the file. Three states: <see cref="Unopened"/> (the first request decides
/// how the image comes to be: open, create or snapshot; any other request opens it as the actor was
/// told), <see cref="Serving"/>, and <see cref="Failed"/> (the open failed: every request gets that
/// error until the parent stops the actor). The image's lock lasts as long as the image is open
/// (DESIGN.md §10), which can be longer than the actor: the open image lives in an
/// <see cref="ImageHold"/>. After a restart the actor reopens the image over the same file and lock.
/// </summary>
internal sealed partial class ImageActor : ReceiveActor, IWithUnboundedStash
{
    private readonly IFileSystem _fs;
    private readonly string _path;
    private readonly FileAccess _access;
    private readonly VhdStorageOptions _options;
    private readonly ImageHold _hold;
    private readonly ImageActorParent _parent;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    // The disk lent to the facade's handles for inline I/O (DiskLease); revoked before the disk
    // is flushed, closed or given up, so no inline request ever touches it after that.
    private DiskLease? _lease;

    // False once an error may have left the in-memory state behind the file's: closing then
    // must not flush (it would write metadata the engine no longer vouches for).
    private bool _flushOnClose = true;

    // Set when this incarnation ends but the image stays open in the hold (restart, idle close,
    // freeze): PostStop, which the base PreRestart calls too, then leaves it open.
    private bool _keepOpen;

    public ImageActor(IFileSystem fs, string path, FileAccess access, VhdStorageOptions options, ImageHold hold, ImageActorParent parent)
    {
        _fs = fs;
        _path = path;
        _access = access;
        _options = options;
        _hold = hold;
        _parent = parent;
        if (hold.Disk is null) Unopened(); else Serving();
    }

    public IStash Stash { get; set; } = null!;

    /// <summary>Props for the actor of the image at <paramref name="path"/> over <paramref name="hold"/>, which every incarnation shares (and which may already hold the image).</summary>
    public static Props Props(IFileSystem fs, string path, FileAccess access, VhdStorageOptions options, ImageHold hold, ImageActorParent parent) =>
        Akka.Actor.Props.CreateBy(new ImageActorProducer(() => new ImageActor(fs, path, access, options, hold, parent))).WithDispatcher(options.Dispatcher);

    private VirtualDisk? Disk { get => _hold.Disk; set => _hold.Disk = value; }

    private VirtualDisk RequireDisk() => Disk ?? throw new VhdException($"{_path}: the image is not open");

    /// <summary>No image yet: the first request opens, creates or snapshots it.</summary>
    private void Unopened()
    {
        Receive<OpenImage>(m => FirstOpen(m, "vhd.open", () => VirtualDisk.Open(_fs, _path, m.Access, OpenOptions(m.Access))));
        Receive<CreateImage>(m => FirstOpen(m, "vhd.open", () => VirtualDisk.Create(_fs, _path, m.Options)));
        // The engine's snapshot also marks the parent file read-only, as the tool does.
        Receive<SnapshotImage>(m => FirstOpen(m, "vhd.snapshot", () => VhdMaintenance.Snapshot(_fs, m.ParentPath, _path, OpenOptions(FileAccess.ReadWrite))));
        Receive<CloseImage>(m =>
        {
            Sender.Tell(ImageAck.Instance);
            Context.Stop(Self);
        });
        // A request through a handle whose image was closed (idle, or after an error): open it as
        // before, then serve this request and everything behind it in order.
        Receive<IImageRequest>(m => FirstOpen(m, "vhd.open", () => VirtualDisk.Open(_fs, _path, _access, OpenOptions(_access)), replay: true));
        Receive<ReceiveTimeout>(_ => _parent.Idle(Context, _path));
    }

    /// <summary>The image is open: reads, writes, flushes, queries and lifecycle requests.</summary>
    private void Serving()
    {
        ServingData();
        ServingLifecycle();
        // E.g. a commit sent through a shard region: refused, never left unanswered.
        Receive<IImageRequest>(m => Refuse(new NotSupportedException($"{_path}: {m.GetType().Name} is not something an image actor does (send it to the image manager)")));
    }

    /// <summary>Reads, writes, discards, allocation and info queries, and flushes.</summary>
    private void ServingData()
    {
        Receive<ReadImage>(m => Run(m, Operation.Request("vhd.read", _path, m.Offset, m.Length, _options, ActivityKind.Server, m.TraceContext), () =>
        {
            ArgumentOutOfRangeException.ThrowIfNegative(m.Length, "length");
            var data = new byte[m.Length];
            RequireDisk().Read(m.Offset, data);
            return new ImageData(data);
        }));
        Receive<WriteImage>(m => Run(m, Operation.Request("vhd.write", _path, m.Offset, m.Data.Length, _options, ActivityKind.Server, m.TraceContext), () =>
        {
            RequireDisk().Write(m.Offset, m.Data.Span);
            return ImageAck.Instance;
        }));
        // Discard changes allocation: like an allocating write, only the actor does it (the engine takes the disk's lock).
        // Unlike allocation it makes ranges unwritable in place, so the lease is revoked first (waiting for the inline
        // requests in progress): no inline write can land in a block being freed. Handles ask for a new lease after.
        Receive<DiscardImage>(m => Run(m, Operation.Request("vhd.discard", _path, m.Offset, m.Length, _options, ActivityKind.Server, m.TraceContext), () =>
        {
            RevokeLease();
            RequireDisk().Discard(m.Offset, m.Length);
            return ImageAck.Instance;
        }));
        Receive<QueryAllocation>(m => Run(m, Operation.Request("vhd.allocation", _path, m.Offset, m.Length, _options, ActivityKind.Server, m.TraceContext),
            () => AllocationRuns.Next(RequireDisk(), m.Offset, m.Length)));
        Receive<QueryInfo>(m => Run(m, Operation.Start("vhd.info", _path, ActivityKind.Server, m.TraceContext), () => Info(RequireDisk())));
        Receive<FlushImage>(m => Run(m, Operation.Start("vhd.flush", _path, ActivityKind.Server, m.TraceContext), () =>
        {
            RequireDisk().Flush();
            return ImageAck.Instance;
        }));
    }

    /// <summary>Opens of the open image, close, idle retirement, freeze, and the lease.</summary>
    private void ServingLifecycle()
    {
        Receive<OpenImage>(m => Run(m, Operation.Start("vhd.open", _path, ActivityKind.Server, m.TraceContext), () =>
        {
            if (m.Access != FileAccess.Read && !RequireDisk().CanWrite)
                throw new VhdException($"{_path}: open read-only; close it before opening it for writing");
            return Opened();
        }));
        Receive<CreateImage>(_ => Refuse(new VhdException($"{_path}: already exists (it is open)")));
        Receive<SnapshotImage>(_ => Refuse(new VhdException($"{_path}: already exists (it is open)")));
        Receive<CloseImage>(m => Run(m, Operation.Start("vhd.flush", _path, ActivityKind.Server, m.TraceContext), Close, supervise: false));
        Receive<RetireImage>(m => Run(m, Operation.Start("vhd.flush", _path, ActivityKind.Server), Retire, supervise: false));
        Receive<FreezeImage>(m => Run(m, Operation.Start("vhd.flush", _path, ActivityKind.Server), Freeze, supervise: false));
        Receive<LeaseImage>(_ => Lend());
        Receive<LeaseFailed>(m =>
        {
            // A stale lease (the disk was closed or reopened since) needs nothing more.
            if (ReferenceEquals(m.Lease, _lease)) FailFromLease(m.Error);
        });
        Receive<ReceiveTimeout>(_ => OnIdle());
    }

    /// <summary>The open failed: every request gets that error until the parent stops the actor.</summary>
    private void Failed(Exception error)
    {
        Receive<IImageRequest>(_ => ImageReplies.Fail(Sender, error));
        Receive<ReceiveTimeout>(_ => { });
    }

    /// <inheritdoc />
    protected override void PreStart()
    {
        DeadLetterReplier.Ensure(Context.System);
        if (_options.IdleTimeout is { } idle) Context.SetReceiveTimeout(idle);
    }

    /// <summary>
    /// The first request: opens (or creates) the image. On success the actor serves; with
    /// <paramref name="replay"/> the request itself is then served as if it had come after the open.
    /// On failure the parent hears of it before the caller does (so the caller's next request for the
    /// path already goes to a new actor), the caller gets the error, and so does every request queued here.
    /// </summary>
    private void FirstOpen(IImageRequest request, string span, Func<VirtualDisk> open, bool replay = false)
    {
        var sender = Sender;
        if (RefusedAsCancelled(request, sender)) return;
        var operation = Operation.Start(span, _path, ActivityKind.Server, request.TraceContext);
        try
        {
            Adopt(open());
        }
        catch (Exception e)
        {
            var error = operation.Fail(e, _path);
            _parent.OpenFailed(Context, _path, error);
            ImageReplies.Fail(sender, error);
            Become(() => Failed(error));
            return;
        }
        operation.Complete();
        Become(Serving);
        if (!replay)
        {
            sender.Tell(Opened());
            return;
        }
        Stash.Stash();
        Stash.UnstashAll();
    }

    /// <summary>
    /// Runs one request on the open image and sends exactly one reply; on an error the reply goes out
    /// before the rethrow, so the caller learns of the failure even though the supervisor then restarts
    /// or stops the actor.
    /// </summary>
    private void Run(IImageRequest request, Operation operation, Func<object> work, bool supervise = true)
    {
        var sender = Sender;
        if (RefusedAsCancelled(request, sender, operation)) return;
        object result;
        try
        {
            result = work();
        }
        catch (Exception e)
        {
            var error = operation.Fail(e, _path);
            ImageReplies.Fail(sender, error);
            if (!supervise || !VhdErrors.NeedsSupervisor(e)) return;
            _flushOnClose = e is VhdIOException { DiskUsable: true };
            _parent.Failing(Context, _path, error);
            throw;
        }
        // The span ends before the reply goes out, so a caller that has its answer also sees the whole trace.
        operation.Complete();
        sender.Tell(result);
    }

    /// <summary>
    /// True when the request's token has fired: <paramref name="sender"/> gets the cancellation, which
    /// <paramref name="operation"/> (if the request has one yet) records, and the request does not run.
    /// </summary>
    private bool RefusedAsCancelled(IImageRequest request, IActorRef sender, Operation? operation = null)
    {
        if (!request.Cancellation.IsCancellationRequested) return false;
        var cancelled = VhdErrors.Cancelled(_path, request.Cancellation);
        operation?.Fail(cancelled, _path);
        ImageReplies.Fail(sender, cancelled);
        return true;
    }

    private void Refuse(Exception error) => ImageReplies.Fail(Sender, error);

    /// <summary>Force-share is for readers only: a writable open always locks exclusively.</summary>
    private VhdOpenOptions? OpenOptions(FileAccess access) =>
        access == FileAccess.Read || _options.OpenOptions is not { ForceShare: true } shared ? _options.OpenOptions : shared with { ForceShare = false };

    private void Adopt(VirtualDisk disk)
    {
        Disk = disk;
        _flushOnClose = true;
        VhdTelemetry.ImagesOpen.Add(1);
    }

    private static DiskInfo Info(VirtualDisk disk)
    {
        var info = disk.Info;
        long allocated = info.BlockSize == 0 ? disk.Length : info.AllocatedBlocks * info.BlockSize;
        return new(disk.Path, disk.Length, info.DiskType, disk.Chain, info.BlockSize, allocated, info.FileLength);
    }

    private ImageOpened Opened() => new(_path, Disk!.Length, Disk.CanWrite, Disk.Chain);
}
