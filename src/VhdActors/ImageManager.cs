using Storage.VhdEngine;
using System.Diagnostics;
using System.IO.Abstractions;
using Akka.Actor;
using Akka.Event;
using Storage.VhdActors.Messages;
using Storage.VhdEngine.Maintenance;

namespace Storage.VhdActors;

/// <summary>
/// One per ActorSystem: routes every <see cref="IImageRequest"/> to the one
/// <see cref="ImageActor"/> of its image file, starting it on first use, and supervises it
/// (I/O failure: restart and reopen, at most <see cref="VhdStorageOptions.MaxRestarts"/> times
/// within <see cref="VhdStorageOptions.RestartWindow"/>; format error: stop). While an image
/// is being closed (idle, explicit close, snapshot, reopen for writing) its requests wait here
/// and go to the image's next actor, so a close never races a request. Ownership outlives the
/// actors (DESIGN.md §10): an idle image, and an image frozen for a snapshot, stay open and locked
/// here until the image's next actor adopts them or the last handle closes them; only an explicit
/// close, a reopen for writing of a read-only image, and a commit let go of an image's lock.
/// </summary>
internal sealed class ImageManager : UntypedActor
{
    private sealed class Entry(IActorRef child, FileAccess access, ImageHold hold)
    {
        public IActorRef Child { get; } = child;
        public FileAccess Access { get; } = access;
        public ImageHold Hold { get; } = hold;
        public bool Closing { get; set; }
        public bool Keeping { get; set; }
        /// <summary>Its supervisor is stopping it after a failure (not a close the manager asked for).</summary>
        public bool Stopped { get; set; }
        public List<(IImageRequest Request, IActorRef Sender)> Pending { get; } = [];
        public Exception? LastFailure { get; set; }
    }

    private readonly IFileSystem _fs;
    private readonly VhdStorageOptions _options;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, Entry> _byPath = new(StringComparer.Ordinal);
    private readonly Dictionary<IActorRef, string[]> _byChild = [];

    // How each image was last opened, so a request through a handle whose image was closed
    // while idle reopens it the same way. A frozen (snapshotted) image is recorded read-only.
    private readonly Dictionary<string, FileAccess> _lastAccess = new(StringComparer.Ordinal);

    // Images kept open (and locked) between actors: idle ones and frozen snapshot parents.
    private readonly Dictionary<string, ImageHold> _kept = new(StringComparer.Ordinal);
    private long _children;

    public ImageManager(IFileSystem fs, VhdStorageOptions options)
    {
        _fs = fs;
        _options = options;
    }

    public static Props Props(IFileSystem fs, VhdStorageOptions options) =>
        Akka.Actor.Props.Create(() => new ImageManager(fs, options));

    protected override SupervisorStrategy SupervisorStrategy() => new ImageSupervision(_options, OnStopping);

    protected override void PreStart() => DeadLetterReplier.Ensure(Context.System);

    protected override void PostStop()
    {
        foreach (var hold in _kept.Values) hold.Release();
        _kept.Clear();
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case IImageRequest request:
                Route(request, Sender);
                break;
            case ImageIdle idle:
                OnIdle(idle);
                break;
            case ImageOpenFailed openFailed:
                OnOpenFailed(openFailed);
                break;
            case ImageFailed failed:
                if (_byPath.TryGetValue(failed.Path, out var failedEntry) && failedEntry.Child.Equals(Sender))
                    failedEntry.LastFailure = failed.Error;
                break;
            case Terminated terminated:
                OnTerminated(terminated.ActorRef);
                break;
            case ImageOpened or ImageAck:
                break; // replies to the manager's own reopen and close requests
            case Status.Failure failure:
                OnInternalFailure(failure);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void OnIdle(ImageIdle idle)
    {
        if (_byPath.TryGetValue(idle.Path, out var entry) && entry.Child.Equals(idle.Image) && !entry.Closing)
        {
            _log.Debug("{0}: idle; retiring its actor (the image stays open)", idle.Path);
            BeginKeep(entry, new RetireImage(idle.Path));
        }
    }

    private void OnOpenFailed(ImageOpenFailed openFailed)
    {
        // Before the caller hears of it: route nothing more there, stop it once it has
        // answered what it was sent, and give later requests for the path a new actor.
        if (_byPath.TryGetValue(openFailed.Path, out var dying) && dying.Child.Equals(Sender))
        {
            dying.Closing = true;
            Sender.Tell(PoisonPill.Instance);
        }
    }

    /// <summary>One of the manager's own requests (close, retire, freeze) failed.</summary>
    private void OnInternalFailure(Status.Failure failure)
    {
        _log.Debug("internal request failed: {0}", failure.Cause.Message);
        // A failed freeze fails the snapshot waiting for it (see OnTerminated).
        if (_byChild.TryGetValue(Sender, out var failedPaths) && _byPath.TryGetValue(failedPaths[0], out var keeping) && keeping.Keeping)
            keeping.LastFailure = failure.Cause;
    }

    private void Route(IImageRequest request, IActorRef sender)
    {
        if (request is CommitImage or CompactImage or ResizeImage or DeleteImage)
        {
            StartWholeFile(request, sender);
            return;
        }
        if (request is SnapshotImage snapshot && Freezing(snapshot, sender)) return;
        if (_byPath.TryGetValue(request.Path, out var entry)) RouteToActor(request, sender, entry);
        else RouteWithoutActor(request, sender);
    }

    /// <summary>The image has an actor: the request goes to it, or waits while it closes.</summary>
    private void RouteToActor(IImageRequest request, IActorRef sender, Entry entry)
    {
        if (entry.Closing)
        {
            entry.Pending.Add((request, sender));
        }
        else if (request is OpenImage { Access: not FileAccess.Read } && entry.Access == FileAccess.Read)
        {
            // Open read-only so far: close and reopen read-write once the close is done.
            BeginClose(request.Path, entry);
            entry.Pending.Add((request, sender));
        }
        else
        {
            entry.Child.Tell(request, sender);
            if (request is CloseImage) entry.Closing = true; // the actor stops after it
        }
    }

    /// <summary>The image has no actor: one starts for it, or the request is answered here.</summary>
    private void RouteWithoutActor(IImageRequest request, IActorRef sender)
    {
        string path = request.Path;
        switch (request)
        {
            case OpenImage open:
                Start(path, open.Access).Tell(request, sender);
                break;
            case CreateImage or SnapshotImage:
                Start(path, FileAccess.ReadWrite).Tell(request, sender);
                break;
            case CloseImage:
                // The last handle is gone: an image kept open between actors is closed now.
                if (_kept.Remove(path, out var kept)) kept.Release();
                sender.Tell(ImageAck.Instance);
                break;
            default:
                if (_lastAccess.TryGetValue(path, out var access))
                {
                    // Closed while idle (or after an error): the new actor reopens it for the handle that still uses it.
                    Start(path, access).Tell(request, sender);
                }
                else
                {
                    ImageReplies.Fail(sender, new VhdException($"{path}: the image is not open"));
                }
                break;
        }
    }

    /// <summary>
    /// Runs a whole-file operation (commit, compact, resize, delete) in a <see cref="MaintenanceWorker"/>:
    /// the files it touches, its span and its work. The work captures the file system and the open
    /// options, not the manager: it runs on the worker's thread.
    /// </summary>
    private void StartWholeFile(IImageRequest request, IActorRef sender)
    {
        var (fs, open) = (_fs, _options.OpenOptions);
        (string[] Paths, string Span, Func<Activity?, object> Work) whole = request switch
        {
            CommitImage commit => ([commit.Path, commit.ParentPath], "vhd.commit", activity =>
            {
                activity?.SetTag("vhd.parent", commit.ParentPath);
                var options = new CommitOptions { KeepChild = commit.KeepChild, Force = commit.Force };
                return new ImageCommitted(VhdMaintenance.Commit(fs, commit.Path, options, open));
            }),
            CompactImage compact => ([compact.Path], "vhd.compact", _ => VhdMaintenance.Compact(fs, compact.Path, compact.Force, open)),
            ResizeImage resize => ([resize.Path], "vhd.resize", _ =>
                new ImageResized(VhdMaintenance.Resize(fs, resize.Path, new ResizeOptions { Size = resize.Size, AllowShrink = resize.AllowShrink, Force = resize.Force }, open))),
            DeleteImage delete => ([delete.Path], "vhd.delete", _ =>
            {
                VhdMaintenance.Delete(fs, delete.Path, open);
                return ImageAck.Instance;
            }),
            _ => throw new UnreachableException($"{request.GetType().Name} is not a whole-file operation"),
        };
        if (request is DeleteImage) _lastAccess.Remove(request.Path);
        StartWorker(whole.Paths, request, sender, whole.Span, whole.Work);
    }

    /// <summary>
    /// Freezes a snapshot's parent first when this store has it open (or kept): its actor flushes
    /// it, marks it read-only and downgrades its lock in place, and the snapshot waits. True when
    /// the request was parked; false when the snapshot can go ahead now.
    /// </summary>
    private bool Freezing(SnapshotImage snapshot, IActorRef sender)
    {
        string parentPath = snapshot.ParentPath;
        if (!_byPath.ContainsKey(parentPath) && _kept.TryGetValue(parentPath, out var kept) && kept.Disk is { CanWrite: true })
            Start(parentPath, FileAccess.ReadWrite);
        if (_byPath.TryGetValue(parentPath, out var parent))
        {
            if (!parent.Closing) BeginKeep(parent, new FreezeImage(parentPath));
            parent.Pending.Add((snapshot, sender));
            return true;
        }
        _lastAccess[parentPath] = FileAccess.Read;
        return false;
    }

    /// <summary>
    /// Runs a whole-file operation once every file it touches is closed here (their writers, and any
    /// reader whose cached table it would make stale); it takes their locks itself.
    /// </summary>
    private void StartWorker(string[] paths, IImageRequest request, IActorRef sender, string span, Func<Activity?, object> work)
    {
        foreach (string p in paths)
        {
            if (_kept.Remove(p, out var kept)) kept.Release();
            if (_byPath.TryGetValue(p, out var busy))
            {
                if (!busy.Closing) BeginClose(p, busy);
                busy.Pending.Add((request, sender));
                return;
            }
        }
        var worker = Context.ActorOf(MaintenanceWorker.Props(request, sender, span, work, _options), $"worker-{++_children}");
        Context.Watch(worker);
        // One entry under every path, already "closing": their requests wait for the worker to end.
        var entry = new Entry(worker, FileAccess.ReadWrite, new ImageHold()) { Closing = true };
        foreach (string p in paths) _byPath[p] = entry;
        _byChild[worker] = paths;
    }

    /// <summary>Starts the image's actor, handing it the image if it was kept open (unless it must now be written and was read-only).</summary>
    private IActorRef Start(string path, FileAccess access)
    {
        var hold = _kept.Remove(path, out var kept) ? kept : new ImageHold();
        if (access != FileAccess.Read && hold.Disk is { CanWrite: false }) hold.Release();
        if (hold.Disk is { CanWrite: true }) access = FileAccess.ReadWrite;
        var child = Context.ActorOf(ImageActor.Props(_fs, path, access, _options, hold, ImageActorParent.Manager), $"image-{++_children}");
        Context.Watch(child);
        _byPath[path] = new Entry(child, access, hold);
        _byChild[child] = [path];
        _lastAccess[path] = access;
        return child;
    }

    private void BeginClose(string path, Entry entry)
    {
        entry.Closing = true;
        entry.Child.Tell(new CloseImage(path), Self);
    }

    /// <summary>Stops the image's actor keeping the image open (idle, or frozen for a snapshot).</summary>
    private void BeginKeep(Entry entry, IImageRequest request)
    {
        entry.Closing = true;
        entry.Keeping = true;
        entry.Child.Tell(request, Self);
    }

    /// <summary>The supervisor stops <paramref name="child"/>: its requests wait for its Terminated.</summary>
    private void OnStopping(IActorRef child)
    {
        if (_byChild.TryGetValue(child, out var paths) && _byPath.TryGetValue(paths[0], out var entry))
        {
            entry.Closing = true;
            entry.Stopped = true;
        }
    }

    private void OnTerminated(IActorRef child)
    {
        if (!_byChild.Remove(child, out var paths)) return;
        string path = paths[0];
        var entry = _byPath[path];
        foreach (string p in paths) _byPath.Remove(p);
        if ((!entry.Closing || entry.Stopped) && entry.LastFailure is not null)
        {
            _log.Error(entry.LastFailure, "{0}: image actor stopped: {1}", path, entry.LastFailure.Message);
            Context.System.EventStream.Publish(new ImageStopped(path, entry.LastFailure));
        }
        if (entry.Keeping && entry.Hold.Disk is not null)
        {
            _kept[path] = entry.Hold;
            if (!entry.Hold.Disk.CanWrite) _lastAccess[path] = FileAccess.Read;
        }
        // Requests that waited for the close go to the image's next actor, in arrival order; a
        // snapshot whose parent could not be frozen fails instead.
        foreach (var (request, sender) in entry.Pending)
        {
            if (request is SnapshotImage && entry.Keeping && entry.LastFailure is { } failure && !_kept.ContainsKey(path))
                ImageReplies.Fail(sender, new VhdException($"{request.Path}: no snapshot: its parent '{path}' could not be frozen: {failure.Message}", failure));
            else
                Route(request, sender);
        }
    }
}
