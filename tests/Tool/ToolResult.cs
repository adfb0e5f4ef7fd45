namespace Storage.Tests.Tool;

/// <summary>What one run of the tool produced.</summary>
public sealed record ToolResult(int ExitCode, string Out, string Err, byte[] Bytes)
{
    public string[] ErrLines => Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public override string ToString() => $"exit {ExitCode}; stdout: {Out}; stderr: {Err}";
}
