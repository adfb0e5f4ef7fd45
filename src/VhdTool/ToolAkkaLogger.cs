using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;

namespace Storage.VhdTool;

/// <summary>
/// The tool's Akka logger. Akka's own loggers write to stdout, which `vhd read` uses for data,
/// and the tool promises one error line; so actor-system log events (warnings and errors:
/// restarts, stopped images) go to stderr only when VHD_DEBUG is set, and are dropped otherwise.
/// The failure that matters reaches the user anyway, as the command's error.
/// </summary>
internal sealed class ToolAkkaLogger : UntypedActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    private static readonly bool Debug = Environment.GetEnvironmentVariable("VHD_DEBUG") is not (null or "" or "0");

    /// <inheritdoc />
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case InitializeLogger:
                Sender.Tell(new LoggerInitialized());
                break;
            case LogEvent e when Debug:
                Console.Error.WriteLine($"vhd: akka: {e}");
                break;
            case LogEvent:
                break;
            default:
                Unhandled(message);
                break;
        }
    }
}
