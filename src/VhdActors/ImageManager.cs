using Storage.VhdEngine;
using System.IO.Abstractions;
using Akka.Actor;
using Akka.Event;
using Storage.VhdActors.Messages;

namespace Storage.VhdActors;

/// <summary>
/// One per ActorSystem: routes every <see cref="IImageRequest"/> to the one
/// <see cref="ImageActor"/> of its image file, starting it on first use, and supervises it
/// (I/O failure: restart and reopen, at most <see cref="VhdStorageOptions.MaxRestarts"/> times
/// within <see cref="VhdStorageOptions.RestartWindow"/>; format error: stop). While an image
/// is being closed (idle, explicit close, snapshot, reopen for writing) its requests wait here
/// and go to the image's next actor, so a close never races a request.
/// </summary>
public sealed class ImageManager : UntypedActor
{
    private sealed class Entry(IActorRef child, FileAccess access)
    {
        public IActorRef Child { get; } = child;
        public FileAccess Access { get; } = access;
        public bool Closing { get; set; }
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
    private long _children;

    /// <summary>Creates the manager; use <see cref="Props"/>.</summary>
    public ImageManager(IFileSystem fs, VhdStorageOptions options)
    {
        _fs = fs;
        _options = options;
    }

    /// <summary>Props for the manager of images on <paramref name="fs"/>.</summary>
    public static Props Props(IFileSystem fs, VhdStorageOptions options) =>
        Akka.Actor.Props.Create(() => new ImageManager(fs, options));

    /// <inheritdoc />
    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(_options.MaxRestarts, _options.RestartWindow, VhdErrors.Decide);

    /// <inheritdoc />
    protected override void PreStart() => Context.ActorOf(DeadLetterReplier.Props(), "dead-letter-replier");

    /// <inheritdoc />
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case IImageRequest request:
                Route(request, Sender);
                break;
            case ImageIdle idle:
                if (_byPath.TryGetValue(idle.Path, out var idleEntry) && idleEntry.Child.Equals(idle.Image) && !idleEntry.Closing)
                {
                    _log.Debug("{0}: idle; closing", idle.Path);
                    BeginClose(idle.Path, idleEntry);
                }
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
                _log.Debug("internal request failed: {0}", failure.Cause.Message);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Route(IImageRequest request, IActorRef sender)
    {
        if (request is CommitImage commit)
        {
            StartCommit(commit, sender);
            return;
        }
        if (request is SnapshotImage snapshot)
        {
            // Freeze the parent first: whoever has it open for writing must be gone (flushed,
            // closed) before a child starts depending on its contents.
            if (_byPath.TryGetValue(snapshot.ParentPath, out var parent))
            {
                if (!parent.Closing) BeginClose(snapshot.ParentPath, parent);
                parent.Pending.Add((request, sender));
                return;
            }
            _lastAccess[snapshot.ParentPath] = FileAccess.Read;
        }

        string path = request.Path;
        if (_byPath.TryGetValue(path, out var entry))
        {
            if (entry.Closing)
            {
                entry.Pending.Add((request, sender));
            }
            else if (request is OpenImage { Access: not FileAccess.Read } && entry.Access == FileAccess.Read)
            {
                // Open read-only so far: close and reopen read-write once the close is done.
                BeginClose(path, entry);
                entry.Pending.Add((request, sender));
            }
            else
            {
                entry.Child.Tell(request, sender);
                if (request is CloseImage) entry.Closing = true; // the actor stops after it
            }
            return;
        }

        switch (request)
        {
            case OpenImage open:
                Start(path, open.Access).Tell(request, sender);
                break;
            case CreateImage or SnapshotImage:
                Start(path, FileAccess.ReadWrite).Tell(request, sender);
                break;
            case CloseImage:
                sender.Tell(ImageAck.Instance);
                break;
            default:
                if (_lastAccess.TryGetValue(path, out var access))
                {
                    // Closed while idle (or after an error): reopen for the handle that still uses it.
                    var child = Start(path, access);
                    child.Tell(new OpenImage(path, access, request.TraceContext), Self);
                    child.Tell(request, sender);
                }
                else
                {
                    sender.Tell(new Status.Failure(new VhdException($"{path}: the image is not open")));
                }
                break;
        }
    }

    private void StartCommit(CommitImage commit, IActorRef sender)
    {
        // Both files must be closed here (the child's writer, and any reader of the parent
        // whose cached table the commit would make stale) before the merge starts.
        foreach (string p in new[] { commit.Path, commit.ParentPath })
        {
            if (_byPath.TryGetValue(p, out var busy))
            {
                if (!busy.Closing) BeginClose(p, busy);
                busy.Pending.Add((commit, sender));
                return;
            }
        }
        var worker = Context.ActorOf(CommitWorker.Props(_fs, commit, sender, _options), $"commit-{++_children}");
        Context.Watch(worker);
        // One entry under both paths, already "closing": their requests wait for the worker to end.
        var entry = new Entry(worker, FileAccess.ReadWrite) { Closing = true };
        _byPath[commit.Path] = entry;
        _byPath[commit.ParentPath] = entry;
        _byChild[worker] = [commit.Path, commit.ParentPath];
    }

    private IActorRef Start(string path, FileAccess access)
    {
        var child = Context.ActorOf(ImageActor.Props(_fs, path, access, _options), $"image-{++_children}");
        Context.Watch(child);
        _byPath[path] = new Entry(child, access);
        _byChild[child] = [path];
        _lastAccess[path] = access;
        return child;
    }

    private void BeginClose(string path, Entry entry)
    {
        entry.Closing = true;
        entry.Child.Tell(new CloseImage(path), Self);
    }

    private void OnTerminated(IActorRef child)
    {
        if (!_byChild.Remove(child, out var paths)) return;
        string path = paths[0];
        var entry = _byPath[path];
        foreach (string p in paths) _byPath.Remove(p);
        if (!entry.Closing && entry.LastFailure is not null)
        {
            _log.Error(entry.LastFailure, "{0}: image actor stopped: {1}", path, entry.LastFailure.Message);
            Context.System.EventStream.Publish(new ImageStopped(path, entry.LastFailure));
        }
        // Requests that waited for the close go to the image's next actor, in arrival order.
        foreach (var (request, sender) in entry.Pending) Route(request, sender);
    }
}
