using System.CommandLine;
using Storage.VhdEngine.Maintenance;

namespace Storage.VhdTool;

/// <summary>`vhd commit`: merges a differencing child into its parent (and deletes the child unless --keep).</summary>
internal static class CommitCommand
{
    public static Command Create(ToolContext tool)
    {
        var child = ToolOptions.Path("CHILD", "the differencing image to merge");
        var keep = new Option<bool>("--keep") { Description = "keep the child (empty of nothing: it still reads the same)" };
        var force = new Option<bool>("--force")
        {
            Description = "commit even though the parent has other children: the parent gets a new unique id and they refuse to open",
        };
        var command = new Command("commit", "merge a differencing child into its parent") { child, keep, force };
        command.SetAction(parse => Run(
            tool.Env, tool.ShowProgress(parse), parse.GetValue(child)!, new CommitOptions { KeepChild = parse.GetValue(keep), Force = parse.GetValue(force) }));
        return command;
    }

    private static int Run(ToolEnvironment env, bool progress, string child, CommitOptions options)
    {
        ToolProgress.OverImage(env, progress, child, "committing", p => VhdMaintenance.Commit(env.FileSystem, child, options, progress: p));
        return 0;
    }
}
