using Storage.VhdEngine;
using Akka.Actor;

namespace Storage.VhdActors;

/// <summary>How the actors classify errors: what a caller is told and what the supervisor does.</summary>
internal static class VhdErrors
{
    /// <summary>The exception a caller gets: always a <see cref="VhdException"/>.</summary>
    public static VhdException ForCaller(Exception e, string path) => e switch
    {
        VhdException v => v,
        IOException or UnauthorizedAccessException => new VhdIOException($"{path}: {e.Message}", e, diskUsable: false),
        OperationCanceledException => new VhdException($"{path}: the request was cancelled", e),
        _ => new VhdException($"{path}: {e.GetType().Name}: {e.Message}", e),
    };

    /// <summary>An I/O failure: the actor restarts and reopens the image.</summary>
    public static bool IsIoFailure(Exception e) => e is VhdIOException or IOException or UnauthorizedAccessException;

    /// <summary>An error the supervisor must hear about (the actor's state may be wrong); others only fail the request.</summary>
    public static bool NeedsSupervisor(Exception e) => IsIoFailure(e) || e is VhdFormatException || e is not VhdException;

    /// <summary>
    /// The supervision decision: I/O failure -> restart (reopen); format error -> stop; another
    /// engine error while (re)opening, e.g. the file is gone -> stop; a bug -> restart.
    /// </summary>
    public static Directive Decide(Exception e)
    {
        while (e is ActorInitializationException { InnerException: { } inner }) e = inner;
        if (IsIoFailure(e)) return Directive.Restart;
        if (e is VhdException) return Directive.Stop;
        return Directive.Restart;
    }
}
