using Akka.Actor;
using Akka.Event;
using Storage.VhdActors.Messages;
using Storage.VhdEngine;

namespace Storage.VhdActors;

/// <summary>
/// Answers image requests that reached no actor. When the supervisor stops an image actor
/// (format error, restart budget spent) the requests still in its mailbox go to dead letters;
/// without this their callers would learn of the failure only from a timeout. One per
/// ActorSystem (<see cref="Ensure"/>), whoever hosts the image actors.
/// </summary>
internal sealed class DeadLetterReplier : ReceiveActor
{
    private sealed class Extension : IExtension;

    private sealed class Id : ExtensionIdProvider<Extension>
    {
        public override Extension CreateExtension(ExtendedActorSystem system)
        {
            system.SystemActorOf(Akka.Actor.Props.Create(() => new DeadLetterReplier()), "vhd-dead-letter-replier");
            return new Extension();
        }
    }

    public DeadLetterReplier()
    {
        Receive<AllDeadLetters>(letter =>
        {
            if (letter.Message is not IImageRequest request) return;
            if (letter.Sender is null || letter.Sender.IsNobody() || letter.Sender.Equals(Context.System.DeadLetters)) return;
            ImageReplies.Fail(letter.Sender, new VhdException(
                $"{request.Path}: the image is closed (its actor stopped after an error, or the system is shutting down); open it again"));
        });
    }

    /// <summary>Starts the system's replier if it has none yet.</summary>
    public static void Ensure(ActorSystem system) => system.WithExtension<Extension, Id>();

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(AllDeadLetters));

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);
}
