using Storage.VhdEngine;
using System.Diagnostics;
using System.IO.Abstractions;
using Akka.Actor;
using Storage.VhdActors.Messages;
using Storage.VhdEngine.Maintenance;

namespace Storage.VhdActors;

/// <summary>
/// Runs one commit on the I/O dispatcher and stops. The manager keeps requests for the child
/// and the parent waiting while it lives, so nothing else has either file open.
/// </summary>
internal sealed class CommitWorker : UntypedActor
{
    private sealed record Run;

    private readonly IFileSystem _fs;
    private readonly CommitImage _request;
    private readonly IActorRef _replyTo;
    private readonly VhdStorageOptions _options;

    public CommitWorker(IFileSystem fs, CommitImage request, IActorRef replyTo, VhdStorageOptions options)
    {
        _fs = fs;
        _request = request;
        _replyTo = replyTo;
        _options = options;
    }

    public static Props Props(IFileSystem fs, CommitImage request, IActorRef replyTo, VhdStorageOptions options) =>
        Akka.Actor.Props.Create(() => new CommitWorker(fs, request, replyTo, options)).WithDispatcher(options.Dispatcher);

    protected override void PreStart() => Self.Tell(new Run());

    protected override void OnReceive(object message)
    {
        if (message is not Run) { Unhandled(message); return; }
        try
        {
            if (_request.Cancellation.IsCancellationRequested)
            {
                _replyTo.Tell(new Status.Failure(new VhdException($"{_request.Path}: the request was cancelled before it ran", new OperationCanceledException(_request.Cancellation))));
                return;
            }
            // Ended before the reply, like the image actor's spans.
            var activity = VhdTelemetry.ActivitySource.StartActivity("vhd.commit", ActivityKind.Server, _request.TraceContext);
            activity?.SetTag("vhd.image", _request.Path);
            activity?.SetTag("vhd.parent", _request.ParentPath);
            try
            {
                var commit = new CommitOptions { KeepChild = _request.KeepChild, Force = _request.Force };
                long copied = Committer.Commit(_fs, _request.Path, commit, _options.OpenOptions);
                activity?.Dispose();
                _replyTo.Tell(new ImageCommitted(copied));
            }
            catch (Exception e)
            {
                var error = VhdErrors.ForCaller(e, _request.Path);
                activity?.SetStatus(ActivityStatusCode.Error, error.Message);
                activity?.AddException(error);
                activity?.Dispose();
                _replyTo.Tell(new Status.Failure(error));
            }
        }
        finally
        {
            Context.Stop(Self);
        }
    }
}
