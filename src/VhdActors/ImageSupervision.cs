using Akka.Actor;
using Akka.Actor.Internal;

namespace Storage.VhdActors;

/// <summary>
/// The supervision of image actors (<see cref="VhdErrors.Decide"/> within the restart budget), the
/// one place it is built: the manager's, and <see cref="ImageActors.Supervision"/> for other hosts.
/// <paramref name="stopping"/> (the manager's) hears the moment it decides to stop one: a caller that
/// heard of the failure may send its next request before the manager sees Terminated, and that
/// request must wait for the image's next actor instead of reaching the stopping one as a dead letter.
/// </summary>
internal sealed class ImageSupervision(VhdStorageOptions options, Action<IActorRef>? stopping = null)
    // The actors log restarts and stops themselves, once, without a stack trace per request.
    : OneForOneStrategy(options.MaxRestarts, (int)options.RestartWindow.TotalMilliseconds, VhdErrors.Decide, loggingEnabled: false)
{
    /// <inheritdoc />
    public override void ProcessFailure(IActorContext context, bool restart, IActorRef child, Exception cause, ChildRestartStats stats, IReadOnlyCollection<ChildRestartStats> children)
    {
        // OneForOneStrategy's own rule (a restart within the budget, else stop), with the notice.
        if (restart && stats.RequestRestartPermission(MaxNumberOfRetries, WithinTimeRangeMilliseconds))
        {
            RestartChild(child, cause, suspendFirst: false);
            return;
        }
        stopping?.Invoke(child);
        context.Stop(child);
    }
}
