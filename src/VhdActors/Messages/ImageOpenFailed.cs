namespace Storage.VhdActors.Messages;

/// <summary>
/// An image actor tells its parent that it could not open (or create) its image, before it answers
/// the request: the parent routes nothing more to it (every later request, e.g. the caller's next
/// open of the same path, goes to a new actor) and stops it once it has answered what it was sent.
/// </summary>
/// <param name="Path">Full path of the image file.</param>
/// <param name="Error">Why the open failed.</param>
internal sealed record ImageOpenFailed(string Path, Exception Error);
