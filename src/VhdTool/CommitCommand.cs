using Storage.VhdEngine;

namespace Storage.VhdTool;

/// <summary>`vhd commit`: merges a differencing child into its parent (and deletes the child unless --keep).</summary>
internal sealed class CommitCommand : ICommand
{
    public string Name => "commit";
    public string Summary => "merge a differencing child into its parent";
    public string Usage => "vhd commit CHILD [--keep]";
    public IReadOnlyCollection<string> ValueOptions { get; } = [];
    public IReadOnlyCollection<string> Flags { get; } = ["--keep"];

    public int Run(CommandLine args, ToolEnvironment env)
    {
        string child = args.Positional(0, "CHILD");
        args.NoMorePositionals(1);
        bool keep = args.Flag("--keep");
        return ToolStore.Run(env, async (store, ct) =>
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
}
