using System.CommandLine;
using System.Text.Json;
using Storage.VhdEngine.Maintenance;
using Storage.VhdTool.Json;

namespace Storage.VhdTool;

/// <summary>`vhd compact`: frees empty blocks, moves blocks down into the holes and cuts the file (Optimize-VHD).</summary>
internal static class CompactCommand
{
    public static Command Create(ToolContext tool)
    {
        var image = ToolOptions.Path("IMAGE", "the dynamic or differencing image to compact, in place");
        var json = ToolOptions.Json();
        var force = new Option<bool>("--force")
        {
            Description = "compact even though other images are its children: it gets a new unique id and they refuse to open",
        };
        var command = new Command("compact", "give back the space of empty blocks and holes (dynamic and differencing images)") { image, json, force };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(image)!;
            bool forced = parse.GetValue(force);
            var result = ToolProgress.OverImage(tool.Env, tool.ShowProgress(parse), path, "compacting", p => VhdMaintenance.Compact(tool.Env.FileSystem, path, forced, progress: p));
            Write(tool.Env.Out, path, result, parse.GetValue(json));
            return 0;
        });
        return command;
    }

    private static void Write(TextWriter output, string path, CompactResult r, bool json)
    {
        if (json)
        {
            var doc = new CompactJson(path, r.FileBytesBefore, r.FileBytesAfter, r.BytesReclaimed, r.BlocksFreed, r.BlocksMoved);
            output.WriteLine(JsonSerializer.Serialize(doc, ToolJsonContext.Default.CompactJson));
            return;
        }
        output.WriteLine($"{path}: {r.BytesReclaimed} bytes reclaimed ({r.FileBytesBefore} -> {r.FileBytesAfter}), {r.BlocksFreed} empty block(s) freed, {r.BlocksMoved} moved");
    }
}
