using System.CommandLine;
using Storage.VhdEngine;

namespace Storage.VhdTool;

/// <summary>`vhd commit`: merges a differencing child into its parent (and deletes the child unless --keep).</summary>
internal static class CommitCommand
{
    public static Command Create(ToolContext tool)
    {
        var child = ToolOptions.Path("CHILD", "the differencing image to merge");
        var keep = new Option<bool>("--keep") { Description = "keep the child (empty of nothing: it still reads the same)" };
        var command = new Command("commit", "merge a differencing child into its parent") { child, keep };
        command.SetAction(parse => Run(tool.Env, parse.GetValue(child)!, parse.GetValue(keep)));
        return command;
    }

    private static int Run(ToolEnvironment env, string child, bool keep) =>
        ToolStore.Run(env, async (store, ct) =>
        {
            try
            {
                await store.CommitAsync(child, keep, ct).ConfigureAwait(false);
            }
            catch (VhdFormatException e)
            {
                throw ImageFiles.WithPath(child, e);
            }
            return 0;
        });
}
