using System.CommandLine;

namespace Storage.VhdTool;

/// <summary>What every command's action needs besides its own options: the environment and the tool-wide --quiet.</summary>
/// <param name="Env">Where the command runs.</param>
/// <param name="Quiet">The recursive --quiet option (no progress bars).</param>
internal sealed record ToolContext(ToolEnvironment Env, Option<bool> Quiet)
{
    /// <summary>True when this run draws progress: stderr is a terminal and --quiet was not given.</summary>
    public bool ShowProgress(ParseResult parse) => Env.ShowProgress && !parse.GetValue(Quiet);
}
