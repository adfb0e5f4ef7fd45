using Storage.VhdEngine;
using System.IO.Abstractions;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Storage.VhdActors.Messages;

namespace Storage.VhdActors;

/// <summary>
/// A cluster-sharding entity for one image (DESIGN.md §7, distributed): the entity id is the
/// image's full path, and the entity owns an <see cref="ImageActor"/> child that does the work,
/// supervised as the <see cref="ImageManager"/> supervises it. On <see cref="ImageHandOff"/>
/// (sent by the shard before it moves, or after an idle passivation) the image is flushed and
/// closed before the entity stops, so the next node opens a clean file.
/// </summary>
public sealed class ImageEntity : UntypedActor
{
    private readonly IFileSystem _fs;
    private readonly string _path;
    private readonly VhdStorageOptions _options;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private IActorRef _image = ActorRefs.Nobody;
    private bool _opened;

    /// <summary>Creates the entity; use <see cref="Props"/>.</summary>
    public ImageEntity(IFileSystem fs, string path, VhdStorageOptions options)
    {
        _fs = fs;
        _path = path;
        _options = options;
    }

    /// <summary>Props for the entity of the image at <paramref name="path"/>.</summary>
    public static Props Props(IFileSystem fs, string path, VhdStorageOptions options) =>
        Akka.Actor.Props.Create(() => new ImageEntity(fs, path, options));

    /// <inheritdoc />
    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(_options.MaxRestarts, _options.RestartWindow, VhdErrors.Decide);

    /// <inheritdoc />
    protected override void PreStart()
    {
        _image = Context.Watch(Context.ActorOf(ImageActor.Props(_fs, _path, FileAccess.ReadWrite, _options), "image"));
    }

    /// <inheritdoc />
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case ImageHandOff:
                _image.Tell(new CloseImage(_path), Self);
                Become(HandingOff);
                break;
            case IImageRequest request:
                if (!_opened && request is not (OpenImage or CreateImage or SnapshotImage))
                    _image.Tell(new OpenImage(_path, FileAccess.ReadWrite, request.TraceContext), Self);
                _opened = true;
                _image.Forward(request);
                break;
            case ImageIdle:
                Context.Parent.Tell(new Passivate(ImageHandOff.Instance));
                break;
            case Terminated:
                // The image actor stopped (error or close): so does the entity; the shard starts
                // a fresh one for the next request.
                Context.Stop(Self);
                break;
            case ImageFailed failed:
                _log.Warning("{0}: {1}", _path, failed.Error.Message);
                break;
            case ImageOpened or ImageAck or Status.Failure:
                break; // replies to the entity's own open and close
            default:
                Unhandled(message);
                break;
        }
    }

    private void HandingOff(object message)
    {
        switch (message)
        {
            case Terminated:
                Context.Stop(Self);
                break;
            case IImageRequest request:
                // Normally the shard buffers during a hand-off; anything that slips through is refused, not lost.
                Sender.Tell(new Status.Failure(new VhdException($"{request.Path}: the image is moving to another node; retry")));
                break;
        }
    }
}
