using Storage.VhdEngine;
using System.Diagnostics;

namespace Storage.VhdActors.Messages;

/// <summary>
/// A request addressed to one image. Every request is answered, with its result or a
/// <c>Status.Failure</c> carrying a <see cref="VhdException"/>; none is left to time out.
/// </summary>
internal interface IImageRequest
{
    /// <summary>Full path of the image file; also the key of the image's actor (and sharding entity id).</summary>
    string Path { get; }

    /// <summary>The caller's trace context: the actor's span is parented to it.</summary>
    ActivityContext TraceContext { get; }

    /// <summary>The caller's token: a request already cancelled when it reaches the actor is not run.</summary>
    CancellationToken Cancellation { get; }
}
