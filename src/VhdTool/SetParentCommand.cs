using System.CommandLine;
using Storage.VhdEngine.Maintenance;

namespace Storage.VhdTool;

/// <summary>`vhd set-parent`: relinks a differencing image to its parent at a new path (Set-VHD -ParentPath).</summary>
internal static class SetParentCommand
{
    public static Command Create(ToolContext tool)
    {
        var child = ToolOptions.Path("CHILD", "the differencing image to relink");
        var parent = ToolOptions.Path("PARENT", "its parent, where it is now");
        var ignore = new Option<bool>("--ignore-id-mismatch")
        {
            Description = "relink even though PARENT's unique id is not the one CHILD records (CHILD then reads through whatever PARENT holds)",
        };
        var command = new Command("set-parent", "point a differencing image at its parent's new path") { child, parent, ignore };
        command.SetAction(parse =>
        {
            string c = parse.GetValue(child)!, p = parse.GetValue(parent)!;
            VhdMaintenance.SetParent(tool.Env.FileSystem, c, p, parse.GetValue(ignore));
            tool.Env.Out.WriteLine($"{c}: parent is now {tool.Env.FileSystem.Path.GetFullPath(p)}");
            return 0;
        });
        return command;
    }
}
