using System.CommandLine;
using System.Text.Json;
using Storage.VhdEngine.Maintenance;
using Storage.VhdTool.Json;

namespace Storage.VhdTool;

/// <summary>`vhd chain DIR`: the trees of images under a folder (vhd-util scan). Exit 1 when some image has a problem.</summary>
internal static class ChainCommand
{
    public static Command Create(ToolContext tool)
    {
        var folder = ToolOptions.Path("DIR", "the folder to scan (with its subfolders)");
        var json = ToolOptions.Json();
        var ignore = ToolOptions.IgnoreChecksums();
        var command = new Command("chain", "show the parent/child trees of the images under a folder, with broken links and id mismatches") { folder, json, ignore };
        command.SetAction(parse =>
        {
            var report = VhdMaintenance.ScanChains(tool.Env.FileSystem, parse.GetValue(folder)!, ToolOptions.OpenOptions(parse.GetValue(ignore)));
            if (parse.GetValue(json)) WriteJson(tool.Env.Out, report);
            else WriteText(tool.Env.Out, report);
            return report.Problems.Any() ? 1 : 0;
        });
        return command;
    }

    private static void WriteJson(TextWriter output, ChainReport report)
    {
        var images = report.Images.Select(i => new ChainImageJson(
            i.Path, i.Type?.ToString().ToLowerInvariant(), i.VirtualSize, i.FileSize, i.AllocatedBytes, i.UniqueId.ToString("N"),
            i.ParentPath, i.Children, i.Problem)).ToList();
        output.WriteLine(JsonSerializer.Serialize(new ChainJson(report.Folder, images), ToolJsonContext.Default.ChainJson));
    }

    /// <summary>One line an image, children indented under their parent.</summary>
    private static void WriteText(TextWriter output, ChainReport report)
    {
        var depth = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var image in report.Images)
        {
            int d = image.ParentPath is { } p && depth.TryGetValue(p, out int pd) ? pd + 1 : 0;
            depth[image.Path] = d;
            string what = image.Type is { } t
                ? $"{t.ToString().ToLowerInvariant()}, {image.VirtualSize} bytes, {image.AllocatedBytes} allocated, file {image.FileSize}"
                : $"file {image.FileSize}";
            string name = Path.GetRelativePath(report.Folder, image.Path);
            output.WriteLine($"{new string(' ', 2 * d)}{(d > 0 ? "+- " : "")}{name} ({what}){(image.Problem is { } problem ? $"  PROBLEM: {problem}" : "")}");
        }
        int problems = report.Problems.Count();
        output.WriteLine($"{report.Images.Count} image(s), {problems} problem(s)");
    }
}
