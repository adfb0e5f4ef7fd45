using System.Diagnostics;

namespace Storage.VhdActors.Messages;

/// <summary>
/// The facade asks the image's actor to lend it the open disk for inline I/O. Reply:
/// <see cref="DiskLease"/>, or <c>Status.Failure</c> when the actor cannot lend it (the request
/// comes from another node, or the image is not open); the handle then keeps to messages.
/// </summary>
/// <param name="Path">Full path of the image file.</param>
/// <param name="TraceContext">The caller's trace context.</param>
/// <param name="Cancellation">The caller's token.</param>
internal sealed record LeaseImage(string Path, ActivityContext TraceContext = default, CancellationToken Cancellation = default) : IImageRequest;
