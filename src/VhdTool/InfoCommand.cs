using System.Globalization;
using System.Text;
using System.Text.Json;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;

namespace Storage.VhdTool;

/// <summary>`vhd info`: the image's footer, header and chain, as text or as JSON for scripts.</summary>
internal sealed class InfoCommand : ICommand
{
    public string Name => "info";
    public string Summary => "describe an image (--json for scripts)";
    public string Usage => "vhd info IMAGE [--json]";
    public IReadOnlyCollection<string> ValueOptions { get; } = [];
    public IReadOnlyCollection<string> Flags { get; } = ["--json"];

    public int Run(CommandLine args, ToolEnvironment env)
    {
        string image = args.Positional(0, "IMAGE");
        args.NoMorePositionals(1);
        using var disk = ImageFiles.Open(env, image);
        if (args.Flag("--json")) WriteJson(disk, env.Out);
        else WriteText(disk, env.Out);
        return 0;
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

    private static void WriteJson(VirtualDisk disk, TextWriter output)
    {
        var f = disk.Footer;
        var h = disk.Header;
        bool fixedType = disk.DiskType == DiskType.Fixed;
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("path", disk.Path);
            w.WriteString("type", TypeName(disk.DiskType));
            w.WriteNumber("virtualSize", disk.Length);
            w.WriteNumber("currentSize", f.CurrentSize);
            w.WriteNumber("originalSize", f.OriginalSize);
            if (fixedType) w.WriteNull("blockSize"); else w.WriteNumber("blockSize", disk.BlockSize);
            if (fixedType) w.WriteNull("allocatedBlocks"); else w.WriteNumber("allocatedBlocks", disk.AllocatedBlocks);
            if (h is null) w.WriteNull("maxTableEntries"); else w.WriteNumber("maxTableEntries", h.MaxTableEntries);
            w.WriteNumber("fileSize", disk.FileLength);
            w.WriteString("creatorApp", f.CreatorApplicationText);
            w.WriteString("creatorVersion", Version(f.CreatorVersion));
            w.WriteString("creatorHostOs", f.CreatorHostOsText);
            w.WriteString("timestamp", Timestamp(f.Timestamp));
            w.WriteString("uniqueId", f.UniqueId.ToString("N"));
            w.WriteStartObject("geometry");
            w.WriteNumber("cylinders", f.Geometry.Cylinders);
            w.WriteNumber("heads", f.Geometry.Heads);
            w.WriteNumber("sectorsPerTrack", f.Geometry.SectorsPerTrack);
            w.WriteEndObject();
            w.WriteString("features", $"0x{f.Features:x8}");
            w.WriteBoolean("savedState", f.SavedState != 0);
            if (disk.Parent is { } parent) w.WriteString("parent", parent.Path); else w.WriteNull("parent");
            if (disk.DiskType == DiskType.Differencing && h is not null)
            {
                w.WriteString("parentUniqueId", h.ParentUniqueId.ToString("N"));
                w.WriteString("parentName", h.ParentUnicodeName);
            }
            w.WriteStartArray("chain");
            foreach (var p in disk.Chain) w.WriteStringValue(p);
            w.WriteEndArray();
            w.WriteStartArray("warnings");
            foreach (var warning in disk.Warnings) w.WriteStringValue(warning);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        output.WriteLine(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
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
