namespace Storage.VhdActors.Messages;

/// <summary>Reply to <see cref="OpenImage"/>, <see cref="CreateImage"/> and <see cref="SnapshotImage"/>.</summary>
/// <param name="Path">Full path of the image file.</param>
/// <param name="Length">Virtual size in bytes.</param>
/// <param name="Writable">True when the image is open read-write.</param>
/// <param name="Chain">Paths of the image and its parents, leaf first.</param>
internal sealed record ImageOpened(string Path, long Length, bool Writable, IReadOnlyList<string> Chain);
