using System.CommandLine;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;

namespace Storage.VhdTool;

/// <summary>`vhd create`: a new fixed or dynamic image.</summary>
internal static class CreateCommand
{
    public static Command Create(ToolContext tool)
    {
        var image = ToolOptions.Path("IMAGE", "the new image file");
        var size = ToolOptions.Size("--size", "virtual size", required: true);
        var type = ToolOptions.Choice("--type", "image type", "dynamic", "dynamic", "fixed");
        var blockSize = ToolOptions.Size("--block-size", "block size of a dynamic image (default 2M)");
        var exact = new Option<bool>("--exact-size") { Description = "keep the size exactly (no CHS rounding; Azure needs whole MiB fixed images)" };
        var command = new Command("create", "create a fixed or dynamic image") { image, size, type, blockSize, exact };
        command.SetAction(parse =>
        {
            bool fixedType = parse.GetValue(type) == "fixed";
            long? block = parse.GetValue(blockSize);
            if (block is not null && fixedType) throw new UsageException("--block-size applies to dynamic images only");
            var options = new VhdCreateOptions
            {
                Type = fixedType ? DiskType.Fixed : DiskType.Dynamic,
                Size = parse.GetValue(size)!.Value,
                BlockSize = BlockSizeOption.ToInt(block),
                ExactSize = parse.GetValue(exact),
            };
            return Run(tool.Env, parse.GetValue(image)!, options);
        });
        return command;
    }

    private static int Run(ToolEnvironment env, string image, VhdCreateOptions options)
    {
        // Create builds the image under a temporary name, fsyncs and renames it: done when it returns.
        using var disk = DiskSpans.Open(env, image, FileAccess.ReadWrite, create: options);
        return 0;
    }
}
