using System.CommandLine;
using System.Text.Json;
using Storage.VhdEngine.Maintenance;
using Storage.VhdTool.Json;

namespace Storage.VhdTool;

/// <summary>`vhd resize`: a new virtual size, in place, without rewriting data (Resize-VHD).</summary>
internal static class ResizeCommand
{
    public static Command Create(ToolContext tool)
    {
        var image = ToolOptions.Path("IMAGE", "the image to resize, in place");
        var size = ToolOptions.Size("--size", "new virtual size (rounded as create rounds it)", required: true);
        var shrink = new Option<bool>("--allow-shrink") { Description = "allow a smaller size (refused while anything is stored past the new end)" };
        var force = new Option<bool>("--force")
        {
            Description = "resize even though other images are its children: it gets a new unique id and they refuse to open",
        };
        var json = ToolOptions.Json();
        var command = new Command("resize", "change the virtual size of an image") { image, size, shrink, force, json };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(image)!;
            var options = new ResizeOptions { Size = parse.GetValue(size)!.Value, AllowShrink = parse.GetValue(shrink), Force = parse.GetValue(force) };
            long before = ImageFiles.VirtualSize(tool.Env, path);
            long after = VhdMaintenance.Resize(tool.Env.FileSystem, path, options);
            if (parse.GetValue(json))
                tool.Env.Out.WriteLine(JsonSerializer.Serialize(new ResizeJson(path, before, after), ToolJsonContext.Default.ResizeJson));
            else
                tool.Env.Out.WriteLine($"{path}: virtual size {before} -> {after} bytes");
            return 0;
        });
        return command;
    }
}
