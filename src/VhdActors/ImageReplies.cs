using Akka.Actor;
using Storage.VhdActors.Messages;

namespace Storage.VhdActors;

/// <summary>How image actors (and whatever answers for them) send a request's failure.</summary>
internal static class ImageReplies
{
    /// <summary>
    /// Tells <paramref name="to"/> that its request failed: a <c>Status.Failure</c> to a local caller, an
    /// <see cref="ImageRequestFailed"/> (which arrives as that same <c>Status.Failure</c>) to a caller on
    /// another node, so the error crosses the wire in our own format and not Akka's reflection of it.
    /// </summary>
    public static void Fail(IActorRef to, Exception error) =>
        to.Tell(to.Path.Address.HasLocalScope ? new Status.Failure(error) : new ImageRequestFailed(error));
}
