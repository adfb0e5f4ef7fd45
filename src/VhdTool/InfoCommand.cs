using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Storage.VhdEngine.Disks;
using Storage.VhdTool.Json;

namespace Storage.VhdTool;

/// <summary>`vhd info`: the image's footer, header and chain, as text or as JSON for scripts.</summary>
internal static class InfoCommand
{
    public static Command Create(ToolContext tool)
    {
        var image = ToolOptions.Path("IMAGE", "the image to describe");
        var json = ToolOptions.Json();
        var ignore = ToolOptions.IgnoreChecksums();
        var share = ToolOptions.ForceShare();
        var command = new Command("info", "describe an image (--json for scripts)") { image, json, ignore, share };
        command.SetAction(parse =>
        {
            using var disk = ImageFiles.Open(tool.Env, parse.GetValue(image)!, options: ToolOptions.OpenOptions(parse.GetValue(ignore), parse.GetValue(share)));
            if (parse.GetValue(json)) tool.Env.Out.WriteLine(JsonSerializer.Serialize(ToJson(disk), ToolJsonContext.Default.InfoJson));
            else WriteText(disk, tool.Env.Out);
            return 0;
        });
        return command;
    }

    private static string TypeName(VhdDiskType type) => type switch
    {
        VhdDiskType.Fixed => "fixed",
        VhdDiskType.Dynamic => "dynamic",
        VhdDiskType.Differencing => "differencing",
        _ => type.ToString().ToLowerInvariant(),
    };

    private static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static InfoJson ToJson(VirtualDisk disk)
    {
        var i = disk.Info;
        bool fixedType = i.DiskType == VhdDiskType.Fixed;
        return new InfoJson(
            i.Path, TypeName(i.DiskType), i.VirtualSize, i.CurrentSize, i.OriginalSize,
            fixedType ? null : i.BlockSize, fixedType ? null : i.AllocatedBlocks, fixedType ? null : i.MaxTableEntries,
            i.FileLength, i.CreatorApplication, i.CreatorVersion.ToString(), i.CreatorHostOs,
            Timestamp(i.Timestamp), i.UniqueId.ToString("N"),
            new GeometryJson(i.Cylinders, i.Heads, i.SectorsPerTrack),
            $"0x{i.Features:x8}", i.SavedState, disk.Parent?.Path,
            i.ParentUniqueId?.ToString("N"), i.ParentName,
            [.. disk.Chain], [.. i.Warnings]);
    }

    private static void WriteText(VirtualDisk disk, TextWriter o)
    {
        var i = disk.Info;
        void Line(string name, string value) => o.WriteLine($"{name + ":",-17}{value}");
        Line("image", i.Path);
        Line("type", TypeName(i.DiskType));
        Line("virtual size", $"{i.VirtualSize} ({HumanSize(i.VirtualSize)})");
        if (i.DiskType != VhdDiskType.Fixed)
        {
            Line("block size", $"{i.BlockSize} ({HumanSize(i.BlockSize)})");
            Line("allocated", $"{i.AllocatedBlocks} of {i.MaxTableEntries} blocks");
        }
        Line("file size", $"{i.FileLength} ({HumanSize(i.FileLength)})");
        Line("creator", $"{i.CreatorApplication} {i.CreatorVersion} on {i.CreatorHostOs}");
        Line("timestamp", Timestamp(i.Timestamp));
        Line("unique id", i.UniqueId.ToString("N"));
        Line("geometry", $"{i.Cylinders}/{i.Heads}/{i.SectorsPerTrack} (cylinders/heads/sectors)");
        if (disk.Parent is { } parent)
        {
            Line("parent", parent.Path);
            Line("chain", string.Join(" -> ", disk.Chain));
        }
        foreach (var warning in i.Warnings) Line("warning", warning);
    }

    /// <summary>Binary units, one decimal where it matters.</summary>
    internal static string HumanSize(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.Length - 1) { v /= 1024; u++; }
        return u == 0 ? $"{bytes} B" : v.ToString(v % 1 == 0 ? "0" : "0.#", CultureInfo.InvariantCulture) + " " + units[u];
    }
}
