using System.CommandLine;
using Storage.VhdEngine.Disks;

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
        var azure = new Option<bool>("--azure") { Description = "an image Azure accepts: fixed, the size rounded up to a whole MiB and kept exactly (20 MiB .. 32 TiB)" };
        var command = new Command("create", "create a fixed or dynamic image") { image, size, type, blockSize, exact, azure };
        command.SetAction(parse =>
        {
            bool fixedType = parse.GetValue(type) == "fixed";
            long? block = parse.GetValue(blockSize);
            if (block is not null && fixedType) throw new UsageException("--block-size applies to dynamic images only");
            var options = new VhdCreateOptions
            {
                Type = fixedType ? VhdDiskType.Fixed : VhdDiskType.Dynamic,
                Size = parse.GetValue(size)!.Value,
                BlockSize = BlockSizeOption.ToInt(block),
                ExactSize = parse.GetValue(exact),
            };
            if (parse.GetValue(azure)) options = ForAzure(options);
            return Run(tool.Env, parse.GetValue(image)!, options);
        });
        return command;
    }

    /// <summary>Azure's rules: fixed only, a whole number of MiB (rounded up), kept exactly, 20 MiB .. 32 TiB.</summary>
    private static VhdCreateOptions ForAzure(VhdCreateOptions options)
    {
        const long MiB = 1024 * 1024;
        if (options.Type != VhdDiskType.Fixed) throw new UsageException("--azure needs --type fixed (Azure accepts fixed images only)");
        long size = (options.Size + MiB - 1) / MiB * MiB;
        if (size < 20 * MiB || size > 32L * 1024 * 1024 * MiB)
            throw new UsageException($"--azure: size {size} bytes is outside what Azure accepts (20M .. 32T)");
        return options with { Size = size, ExactSize = true };
    }

    private static int Run(ToolEnvironment env, string image, VhdCreateOptions options)
    {
        // Create builds the image under a temporary name, fsyncs and renames it: done when it returns.
        using var disk = DiskSpans.Open(env, image, FileAccess.ReadWrite, create: options);
        return 0;
    }
}
