namespace Storage.Tests.VhdNbd.Infrastructure;

/// <summary>The outcome of an external command.</summary>
public sealed record CliResult(string Command, int ExitCode, string Out, string Err)
{
    public override string ToString() => $"$ {Command}\nexit {ExitCode}\n--- stdout ---\n{Out}\n--- stderr ---\n{Err}";
}
