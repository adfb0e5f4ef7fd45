namespace Storage.CrashTesting;

/// <summary>Thrown from a crash-point handler to abandon a run (time is up, or a failure was enough).</summary>
internal sealed class StopExploringException : Exception
{
    public StopExploringException()
        : base("exploration stopped")
    {
    }
}
