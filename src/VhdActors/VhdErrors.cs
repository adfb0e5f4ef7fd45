using Akka.Actor;
using Storage.VhdEngine;

namespace Storage.VhdActors;

/// <summary>How the actors classify errors: what a caller is told and what the supervisor does.</summary>
internal static class VhdErrors
{
    /// <summary>
    /// The exception a caller gets. The engine's exceptions, the BCL's caller errors (arguments,
    /// cancellation, a missing file) and anything else pass through as they are; only a raw I/O
    /// error becomes a <see cref="VhdIOException"/> naming the image.
    /// </summary>
    public static Exception ForCaller(Exception e, string path) => e switch
    {
        VhdException or FileNotFoundException or DirectoryNotFoundException or ArgumentException or OperationCanceledException or ObjectDisposedException or NotSupportedException => e,
        IOException or UnauthorizedAccessException => new VhdIOException($"{path}: {e.Message}", e, diskUsable: false),
        _ => e,
    };

    /// <summary>
    /// The exception a caller whose token fired gets, whatever stage the call was at: an
    /// <see cref="OperationCanceledException"/> carrying that token.
    /// </summary>
    public static OperationCanceledException Cancelled(string path, CancellationToken cancellationToken, Exception? inner = null) =>
        new($"{path}: the operation was cancelled", inner, cancellationToken);

    /// <summary>An I/O failure: the actor restarts and reopens the image.</summary>
    public static bool IsIoFailure(Exception e) =>
        e is VhdIOException or UnauthorizedAccessException || (e is IOException and not VhdException and not FileNotFoundException and not DirectoryNotFoundException);

    /// <summary>A caller's mistake or choice: the request fails, the image is fine.</summary>
    public static bool IsCallerError(Exception e) =>
        e is ArgumentException or OperationCanceledException or NotSupportedException or FileNotFoundException or DirectoryNotFoundException || (e is VhdException && !IsIoFailure(e) && e is not VhdFormatException);

    /// <summary>An error the supervisor must hear about (the actor's state may be wrong); others only fail the request.</summary>
    public static bool NeedsSupervisor(Exception e) => !IsCallerError(e);

    /// <summary>
    /// The supervision decision: I/O failure -> restart (reopen); format error -> stop; another
    /// engine error while (re)opening, e.g. the file is gone -> stop; a bug -> restart.
    /// </summary>
    public static Directive Decide(Exception e)
    {
        while (e is ActorInitializationException { InnerException: { } inner }) e = inner;
        if (IsIoFailure(e)) return Directive.Restart;
        if (e is VhdException or FileNotFoundException or DirectoryNotFoundException) return Directive.Stop;
        return Directive.Restart;
    }
}
