using System.Diagnostics;

namespace Storage.VhdActors.Messages;

/// <summary>
/// Merges the differencing image <paramref name="Path"/> into its parent
/// <paramref name="ParentPath"/>. Both images are flushed and closed first, and requests for
/// either wait until the commit is done. Reply: <see cref="ImageCommitted"/>.
/// </summary>
/// <param name="Path">Full path of the differencing child.</param>
/// <param name="ParentPath">Full path of its parent (the facade learns it by opening the child).</param>
/// <param name="KeepChild">Keep the child file (emptied of nothing: it still holds its sectors) instead of deleting it.</param>
/// <param name="TraceContext">The caller's trace context.</param>
/// <param name="Cancellation">The caller's token.</param>
/// <param name="Force">Commit even though the parent has other children, giving the parent a new unique id (<c>CommitOptions.Force</c>).</param>
internal sealed record CommitImage(string Path, string ParentPath, bool KeepChild, ActivityContext TraceContext = default, CancellationToken Cancellation = default, bool Force = false) : IImageRequest;
