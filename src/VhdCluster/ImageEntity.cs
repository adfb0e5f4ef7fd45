using System.IO.Abstractions;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Storage.VhdActors;

namespace Storage.VhdCluster;

/// <summary>
/// A cluster-sharding entity for one image (DESIGN.md §12): the entity id is the image's full path,
/// and the entity owns the image actor (<see cref="ImageActors.Props"/>) that does the work,
/// supervised as the store's own image manager supervises it. On <see cref="ImageHandOff"/> (sent by
/// the shard before it moves, or after an idle passivation) the image actor stops, which flushes and
/// closes the image, before the entity stops, so the next node opens a clean file.
/// </summary>
internal sealed class ImageEntity : ReceiveActor
{
    private sealed record Idle;

    private readonly VhdStorageOptions _options;
    private readonly IActorRef _image;

    public ImageEntity(IFileSystem fs, string path, VhdStorageOptions options)
    {
        _options = options;
        _image = Context.Watch(Context.ActorOf(ImageActors.Props(fs, path, options, new Idle()), "image"));
        Receive<ImageHandOff>(_ =>
        {
            Context.Stop(_image);
            Become(HandingOff);
        });
        Receive<Idle>(_ => Context.Parent.Tell(new Passivate(ImageHandOff.Instance)));
        // The image actor stopped (an error, or a close): so does the entity; the shard starts a fresh one for the next request.
        Receive<Terminated>(_ => Context.Stop(Self));
        Receive<object>(m => ImageActors.ImagePath(m) is not null, m => _image.Forward(m));
    }

    public static Props Props(IFileSystem fs, string path, VhdStorageOptions options) =>
        Akka.Actor.Props.Create(() => new ImageEntity(fs, path, options));

    protected override SupervisorStrategy SupervisorStrategy() => ImageActors.Supervision(_options);

    private void HandingOff()
    {
        Receive<Terminated>(_ => Context.Stop(Self));
        // Normally the shard buffers during a hand-off; anything that slips through is refused, not lost.
        Receive<object>(m => ImageActors.ImagePath(m) is not null, m =>
            ImageActors.Fail(Sender, new IOException($"{ImageActors.ImagePath(m)}: the image is moving to another node; retry")));
    }
}
