namespace Storage.FaultInjection;

/// <summary>
/// An I/O error thrown on purpose by a <see cref="FaultPlan"/>. It is an <see cref="IOException"/>,
/// so code under test handles it like any I/O failure; harnesses can tell it from a real one.
/// </summary>
public sealed class InjectedFaultException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed and why.</param>
    /// <param name="operationIndex">The counted operation that failed.</param>
    /// <param name="hresult">The HResult, e.g. <see cref="FaultPlan.DiskFullHResult"/>.</param>
    public InjectedFaultException(string message, long operationIndex, int hresult)
        : base(message, hresult) => OperationIndex = operationIndex;

    /// <summary>The 0-based index of the counted operation that failed, as counted by the plan.</summary>
    public long OperationIndex { get; }
}
