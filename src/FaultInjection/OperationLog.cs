namespace Storage.FaultInjection;

/// <summary>
/// The counted operations of a <see cref="FaultFileSystem"/>: their number, the trace, the
/// <c>Flush(true)</c> count, and the <see cref="FaultPlan"/> that may fail each one. Guarded by
/// the simulation's lock (<see cref="SimulationState.Gate"/>).
/// </summary>
internal sealed class OperationLog
{
    private readonly List<FaultOperation> _trace = [];

    /// <summary>Faults applied to every counted operation; null injects none.</summary>
    internal FaultPlan? Plan { get; set; }

    internal long OperationCount { get; private set; }

    internal long FlushToDiskCount { get; private set; }

    internal FaultOperation[] Trace => _trace.ToArray();

    internal void ClearTrace() => _trace.Clear();

    /// <summary>The index the next <c>Flush(true)</c> gets (it counts failed and aborted ones too).</summary>
    internal long NextFlushIndex() => FlushToDiskCount++;

    /// <summary>Records an uncounted entry (a crash marker).</summary>
    internal void Mark(FaultOperation entry) => _trace.Add(entry);

    /// <summary>Counts one operation and traces it; rethrows the plan's fault after tracing it as faulted.</summary>
    /// <returns>The operation's index.</returns>
    internal long Count(FaultOperationKind kind, string path, long offset, long length, long growTo)
    {
        long index = OperationCount++;
        try
        {
            Plan?.BeforeOperation(kind, path, growTo);
        }
        catch (InjectedFaultException)
        {
            _trace.Add(new FaultOperation(index, kind, path, offset, length, true));
            throw;
        }

        _trace.Add(new FaultOperation(index, kind, path, offset, length, false));
        return index;
    }
}
