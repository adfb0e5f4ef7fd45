namespace Storage.CrashTesting;

/// <summary>
/// A check of a recovered state failed (<see cref="CrashRecoveryContext.Fail"/>,
/// <see cref="CrashRecoveryContext.ExpectBytesAsync"/>, <see cref="CrashRecoveryContext.VerifyDurableWritesAsync"/>):
/// the harness records it as that state's failure, with the sectors that read wrong.
/// </summary>
public sealed class CrashCheckException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CrashCheckException()
        : this("a crash check failed")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed.</param>
    public CrashCheckException(string message)
        : this(message, Array.Empty<SectorMismatch>())
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The cause.</param>
    public CrashCheckException(string message, Exception innerException)
        : base(message, innerException)
    {
        Mismatches = [];
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="mismatches">The sectors that read wrong.</param>
    public CrashCheckException(string message, IReadOnlyList<SectorMismatch> mismatches)
        : base(message)
    {
        ArgumentNullException.ThrowIfNull(mismatches);
        Mismatches = mismatches;
    }

    /// <summary>The sectors that read wrong (empty when the check was not about bytes).</summary>
    public IReadOnlyList<SectorMismatch> Mismatches { get; }
}
