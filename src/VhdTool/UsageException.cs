namespace Storage.VhdTool;

/// <summary>
/// The command line is wrong in a way only the command can tell (options that do not go
/// together, a value out of range): the tool prints the message and the command's usage line,
/// and exits 2, as for a parse error.
/// </summary>
public sealed class UsageException : Exception
{
    /// <summary>Creates the exception.</summary>
    public UsageException(string message) : base(message)
    {
    }
}
