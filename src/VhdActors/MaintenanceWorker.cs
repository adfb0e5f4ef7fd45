using System.Diagnostics;
using Akka.Actor;
using Storage.VhdActors.Messages;

namespace Storage.VhdActors;

/// <summary>
/// Runs one whole-file operation (commit, delete) on the I/O dispatcher, answers, and stops. The
/// manager keeps the requests for the files it touches waiting while it lives, so nothing else in
/// this store has them open.
/// </summary>
internal sealed class MaintenanceWorker : ReceiveActor
{
    private sealed record Run;

    public MaintenanceWorker(IImageRequest request, IActorRef replyTo, string span, Func<Activity?, object> work)
    {
        Receive<Run>(_ =>
        {
            try
            {
                if (request.Cancellation.IsCancellationRequested)
                {
                    ImageReplies.Fail(replyTo, VhdErrors.Cancelled(request.Path, request.Cancellation));
                    return;
                }
                var operation = Operation.Start(span, request.Path, ActivityKind.Server, request.TraceContext);
                try
                {
                    var result = work(operation.Activity);
                    operation.Complete();
                    replyTo.Tell(result);
                }
                catch (Exception e)
                {
                    ImageReplies.Fail(replyTo, operation.Fail(e, request.Path));
                }
            }
            finally
            {
                Context.Stop(Self);
            }
        });
    }

    public static Props Props(IImageRequest request, IActorRef replyTo, string span, Func<Activity?, object> work, VhdStorageOptions options) =>
        Akka.Actor.Props.Create(() => new MaintenanceWorker(request, replyTo, span, work)).WithDispatcher(options.Dispatcher);

    protected override void PreStart() => Self.Tell(new Run());
}
