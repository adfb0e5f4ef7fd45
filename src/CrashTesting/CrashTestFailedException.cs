namespace Storage.CrashTesting;

/// <summary>
/// Thrown by <see cref="CrashTestResult.AssertPassed"/> when some crash state failed: the message is the
/// report a test runner shows (states explored, each failure with its replay token), so an xunit, NUnit
/// or MSTest test needs no assertion library of its own.
/// </summary>
public sealed class CrashTestFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CrashTestFailedException()
        : base("the crash test failed")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The report.</param>
    public CrashTestFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The report.</param>
    /// <param name="innerException">The cause.</param>
    public CrashTestFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a failed run.</summary>
    /// <param name="result">The run.</param>
    public CrashTestFailedException(CrashTestResult result)
        : base((result ?? throw new ArgumentNullException(nameof(result))).ToString())
    {
        Result = result;
    }

    /// <summary>The failed run (null when created from a message only).</summary>
    public CrashTestResult? Result { get; }
}
