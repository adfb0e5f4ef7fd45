using Akka.Actor;

namespace Storage.VhdActors.Messages;

/// <summary>An image actor tells its parent it received nothing for the idle time.</summary>
/// <param name="Path">Full path of the image file.</param>
/// <param name="Image">The idle actor.</param>
internal sealed record ImageIdle(string Path, IActorRef Image);
