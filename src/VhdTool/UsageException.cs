namespace Storage.VhdTool;

/// <summary>
/// The command line is wrong (unknown command or option, missing argument, bad number): the
/// tool prints the message and the usage line, and exits 2.
/// </summary>
public sealed class UsageException : Exception
{
    /// <summary>Creates the exception; <paramref name="usage"/> is the usage line to print under it.</summary>
    public UsageException(string message, string? usage = null) : base(message) => Usage = usage;

    /// <summary>The usage line of the command concerned, or null for the tool's.</summary>
    public string? Usage { get; }
}
