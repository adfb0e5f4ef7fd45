namespace Storage.VhdActors.Messages;

/// <summary>An image actor tells its parent why it is about to fail, for the report if it stops.</summary>
/// <param name="Path">Full path of the image file.</param>
/// <param name="Error">The error.</param>
internal sealed record ImageFailed(string Path, Exception Error);
