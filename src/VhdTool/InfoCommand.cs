using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;
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

    private static string TypeName(DiskType type) => type switch
    {
        DiskType.Fixed => "fixed",
        DiskType.Dynamic => "dynamic",
        DiskType.Differencing => "differencing",
        _ => type.ToString().ToLowerInvariant(),
    };

    private static string Version(uint v) => $"{v >> 16}.{v & 0xFFFF}";

    private static string Timestamp(uint seconds) =>
        VhdConstants.Epoch.AddSeconds(seconds).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static InfoJson ToJson(VirtualDisk disk)
    {
        var f = disk.Footer;
        var h = disk.Header;
        bool fixedType = disk.DiskType == DiskType.Fixed;
        bool differencing = disk.DiskType == DiskType.Differencing && h is not null;
        return new InfoJson(
            disk.Path, TypeName(disk.DiskType), disk.Length, f.CurrentSize, f.OriginalSize,
            fixedType ? null : disk.BlockSize, fixedType ? null : disk.AllocatedBlocks, h?.MaxTableEntries,
            disk.FileLength, f.CreatorApplicationText, Version(f.CreatorVersion), f.CreatorHostOsText,
            Timestamp(f.Timestamp), f.UniqueId.ToString("N"),
            new GeometryJson(f.Geometry.Cylinders, f.Geometry.Heads, f.Geometry.SectorsPerTrack),
            $"0x{f.Features:x8}", f.SavedState != 0, disk.Parent?.Path,
            differencing ? h!.ParentUniqueId.ToString("N") : null, differencing ? h!.ParentUnicodeName : null,
            [.. disk.Chain], [.. disk.Warnings]);
    }

    private static void WriteText(VirtualDisk disk, TextWriter o)
    {
        var f = disk.Footer;
        void Line(string name, string value) => o.WriteLine($"{name + ":",-17}{value}");
        Line("image", disk.Path);
        Line("type", TypeName(disk.DiskType));
        Line("virtual size", $"{disk.Length} ({HumanSize(disk.Length)})");
        if (disk.DiskType != DiskType.Fixed)
        {
            Line("block size", $"{disk.BlockSize} ({HumanSize(disk.BlockSize)})");
            Line("allocated", $"{disk.AllocatedBlocks} of {disk.Header!.MaxTableEntries} blocks");
        }
        Line("file size", $"{disk.FileLength} ({HumanSize(disk.FileLength)})");
        Line("creator", $"{f.CreatorApplicationText} {Version(f.CreatorVersion)} on {f.CreatorHostOsText}");
        Line("timestamp", Timestamp(f.Timestamp));
        Line("unique id", f.UniqueId.ToString("N"));
        Line("geometry", $"{f.Geometry.Cylinders}/{f.Geometry.Heads}/{f.Geometry.SectorsPerTrack} (cylinders/heads/sectors)");
        if (disk.Parent is { } parent)
        {
            Line("parent", parent.Path);
            Line("chain", string.Join(" -> ", disk.Chain));
        }
        foreach (var warning in disk.Warnings) Line("warning", warning);
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
