namespace Storage.VhdActors.Messages;

/// <summary>
/// The failure reply to a caller on another node (a <c>Status.Failure</c> is the reply to a local one).
/// The wire serializer carries <paramref name="Error"/> in a form of its own and delivers it as the
/// <c>Status.Failure</c> a local caller would get, so the facade sees no difference (DESIGN.md §12).
/// </summary>
/// <param name="Error">The error the request failed with.</param>
internal sealed record ImageRequestFailed(Exception Error);
