namespace Storage.VhdActors;

/// <summary>
/// Published on the ActorSystem's event stream when an image actor stopped because of an error
/// (a format error, or I/O failures beyond the restart budget) rather than by being closed.
/// </summary>
/// <param name="Path">Full path of the image file.</param>
/// <param name="Reason">The last error the actor reported.</param>
public sealed record ImageStopped(string Path, Exception? Reason);
