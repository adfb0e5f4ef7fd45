using Storage.VhdEngine;

namespace Storage.VhdTool;

/// <summary>`vhd snapshot`: a differencing child over an image; the image is frozen (read-only) from then on.</summary>
internal sealed class SnapshotCommand : ICommand
{
    public string Name => "snapshot";
    public string Summary => "create a differencing child over an image";
    public string Usage => "vhd snapshot IMAGE CHILD";
    public IReadOnlyCollection<string> ValueOptions { get; } = [];
    public IReadOnlyCollection<string> Flags { get; } = [];

    public int Run(CommandLine args, ToolEnvironment env)
    {
        string image = args.Positional(0, "IMAGE");
        string child = args.Positional(1, "CHILD");
        args.NoMorePositionals(2);
        return ToolStore.Run(env, async (store, ct) =>
        {
            try
            {
                // The store freezes IMAGE (flushed, closed, marked read-only) and creates CHILD over it.
                await store.SnapshotAsync(image, child, ct).ConfigureAwait(false);
            }
            catch (VhdFormatException e)
            {
                throw ImageFiles.WithPath(image, e);
            }
            return 0;
        });
    }
}
