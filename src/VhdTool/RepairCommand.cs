using System.CommandLine;
using Storage.VhdEngine.Maintenance;

namespace Storage.VhdTool;

/// <summary>
/// `vhd repair`: puts a missing end footer (or footer copy) back and gives leaked tail space back,
/// each step crash-safe; then prints the check of the result. Exit 0 when the result has no errors.
/// </summary>
internal static class RepairCommand
{
    public static Command Create(ToolContext tool)
    {
        var image = ToolOptions.Path("IMAGE", "the image to repair");
        var json = ToolOptions.Json();
        var command = new Command("repair", "restore the end footer and reclaim leaked tail space (--json for scripts)") { image, json };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(image)!;
            // The engine's errors name the image.
            var report = VhdMaintenance.Repair(tool.Env.FileSystem, path);
            CheckCommand.Write(tool.Env.Out, path, report, parse.GetValue(json));
            return report.Errors.Count == 0 ? 0 : 1;
        });
        return command;
    }
}
