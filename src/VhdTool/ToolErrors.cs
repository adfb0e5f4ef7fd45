using Storage.VhdEngine;

namespace Storage.VhdTool;

/// <summary>
/// Turns what the store's tasks throw into what the error policy reports. The facade already
/// turns an actor's <c>Status.Failure</c> into the <see cref="VhdException"/> it carries; these
/// take off the task wrappers that may remain around it.
/// </summary>
internal static class ToolErrors
{
    /// <summary>The exception inside single-exception <see cref="AggregateException"/>s (nested ones too); otherwise <paramref name="e"/>.</summary>
    public static Exception Unwrap(Exception e)
    {
        while (true)
        {
            switch (e)
            {
                case AggregateException { InnerExceptions.Count: 1 } a:
                    e = a.InnerExceptions[0];
                    break;
                case System.Reflection.TargetInvocationException { InnerException: { } inner }:
                    e = inner;
                    break;
                default:
                    return e;
            }
        }
    }

    /// <summary>
    /// A request the actor refused because the user pressed Ctrl+C while it waited (a
    /// <see cref="VhdException"/> around an <see cref="OperationCanceledException"/>): an interruption, not an error.
    /// </summary>
    public static bool IsCancellation(Exception e, CancellationToken cancellation) =>
        cancellation.IsCancellationRequested && e is VhdException { InnerException: OperationCanceledException };

    /// <summary>The message without the BCL's "(Parameter 'x')" and "Actual value was" additions.</summary>
    public static string OneLine(ArgumentException e)
    {
        string message = e.Message;
        int newline = message.IndexOf('\n', StringComparison.Ordinal);
        if (newline >= 0) message = message[..newline].TrimEnd('\r');
        string suffix = $" (Parameter '{e.ParamName}')";
        return message.EndsWith(suffix, StringComparison.Ordinal) ? message[..^suffix.Length] : message;
    }
}
