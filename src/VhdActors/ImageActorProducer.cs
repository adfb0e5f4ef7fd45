using Akka.Actor;

namespace Storage.VhdActors;

/// <summary>
/// Builds each incarnation of an <see cref="ImageActor"/> over its one <see cref="ImageHold"/>: the
/// hold's type is internal, so no public constructor can take it, and Akka's expression-based Props
/// need one.
/// </summary>
internal sealed class ImageActorProducer(Func<ImageActor> create) : IIndirectActorProducer
{
    public Type ActorType => typeof(ImageActor);

    public ActorBase Produce() => create();

    public void Release(ActorBase actor)
    {
    }
}
