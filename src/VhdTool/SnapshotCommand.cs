using System.CommandLine;
using Storage.VhdEngine.Maintenance;

namespace Storage.VhdTool;

/// <summary>`vhd snapshot`: a differencing child over an image; the image is frozen (read-only) from then on.</summary>
internal static class SnapshotCommand
{
    public static Command Create(ToolContext tool)
    {
        var image = ToolOptions.Path("IMAGE", "the image to freeze");
        var child = ToolOptions.Path("CHILD", "the new differencing image");
        var command = new Command("snapshot", "create a differencing child over an image") { image, child };
        command.SetAction(parse => Run(tool.Env, parse.GetValue(image)!, parse.GetValue(child)!));
        return command;
    }

    private static int Run(ToolEnvironment env, string image, string child)
    {
        // Freezes IMAGE (marked read-only) and creates CHILD over it, flushed and closed on return.
        VhdMaintenance.Snapshot(env.FileSystem, image, child).Dispose();
        return 0;
    }
}
