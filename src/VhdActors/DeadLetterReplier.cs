using Storage.VhdEngine;
using Akka.Actor;
using Akka.Event;
using Storage.VhdActors.Messages;

namespace Storage.VhdActors;

/// <summary>
/// Answers image requests that reached no actor. When the supervisor stops an image actor
/// (format error, restart budget spent) the requests still in its mailbox go to dead letters;
/// without this their callers would learn of the failure only from a timeout.
/// </summary>
internal sealed class DeadLetterReplier : UntypedActor
{
    public static Props Props() => Akka.Actor.Props.Create(() => new DeadLetterReplier());

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(AllDeadLetters));

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    protected override void OnReceive(object message)
    {
        if (message is not AllDeadLetters { Message: IImageRequest request } letter) return;
        if (letter.Sender is null || letter.Sender.IsNobody() || letter.Sender.Equals(Context.System.DeadLetters)) return;
        letter.Sender.Tell(new Status.Failure(new VhdException(
            $"{request.Path}: the image is closed (its actor stopped after an error, or the system is shutting down); open it again")));
    }
}
