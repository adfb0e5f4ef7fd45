using Akka.Actor;
using Storage.VhdActors.Messages;
using Storage.VhdEngine;

namespace Storage.VhdActors;

/// <summary>The store's round trips to the actors: asynchronous, and blocking for the synchronous Stream path.</summary>
internal sealed partial class DiskStore
{
    /// <summary>
    /// Sends <paramref name="request"/> and returns the reply, ending <paramref name="operation"/>.
    /// A fired token always gives an <see cref="OperationCanceledException"/> carrying it, whether it
    /// fired before the send, while the reply was awaited, or before the actor ran the request.
    /// </summary>
    public async Task<T> RequestAsync<T>(IImageRequest request, Operation operation, CancellationToken cancellationToken)
    {
        object reply;
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var router = _resolved ?? (_resolved = await _router(cancellationToken).ConfigureAwait(false));
            reply = await router.Ask<object>(request, Options.RequestTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw Failed(request, operation, e, cancellationToken);
        }
        return Unwrap<T>(request, operation, reply, cancellationToken);
    }

    /// <summary>
    /// <see cref="RequestAsync{T}"/> for a synchronous caller: the caller's thread waits for the
    /// reply itself, with no continuation that needs a thread-pool thread (a pool full of blocked
    /// synchronous callers would otherwise starve the very continuations they wait for).
    /// </summary>
    public T Request<T>(IImageRequest request, Operation operation, CancellationToken cancellationToken)
    {
        object reply;
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var router = _resolved ?? (_resolved = _router(cancellationToken).GetAwaiter().GetResult());
            reply = router.Ask<object>(request, Options.RequestTimeout, cancellationToken).GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            throw Failed(request, operation, e, cancellationToken);
        }
        return Unwrap<T>(request, operation, reply, cancellationToken);
    }

    private static T Unwrap<T>(IImageRequest request, Operation operation, object reply, CancellationToken cancellationToken)
    {
        switch (reply)
        {
            case T result:
                operation.Complete();
                return result;
            case Status.Failure failure:
                throw Failed(request, operation, failure.Cause, cancellationToken);
            default:
                throw operation.Fail(new InvalidOperationException($"{request.Path}: unexpected reply {reply.GetType().Name}"), request.Path);
        }
    }

    private static Exception Failed(IImageRequest request, Operation operation, Exception e, CancellationToken cancellationToken)
    {
        if (e is OperationCanceledException && cancellationToken.IsCancellationRequested)
            return operation.Fail(VhdErrors.Cancelled(request.Path, cancellationToken, e), request.Path);
        if (e is AskTimeoutException)
            return operation.Fail(new TimeoutException($"{request.Path}: no reply from the image's actor (is the actor system running?)", e), request.Path);
        return operation.Fail(e, request.Path);
    }
}
