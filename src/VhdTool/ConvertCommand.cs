using System.CommandLine;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Maintenance;

namespace Storage.VhdTool;

/// <summary>`vhd convert`: raw or any VHD to raw, dynamic or fixed (Storage.VhdEngine.Maintenance.VhdMaintenance.Convert does the work).</summary>
internal static class ConvertCommand
{
    public static Command Create(ToolContext tool)
    {
        var source = ToolOptions.Path("SOURCE", "raw file or VHD image to read");
        var target = ToolOptions.Path("TARGET", "the new file");
        var to = ToolOptions.Choice("--to", "target format", null, "raw", "dynamic", "fixed");
        to.Aliases.Add("-O");
        var from = ToolOptions.Choice("--from", "source format (default: detected)", "auto", "raw", "vhd");
        from.Aliases.Add("-f");
        var exact = new Option<bool>("--exact-size") { Description = "keep the size exactly (VHD targets)" };
        var blockSize = ToolOptions.Size("--block-size", "block size of a dynamic target (default 2M)");
        var sync = new Option<bool>("--sync") { Description = "fsync the target before exiting (default: left to write-back, as cp does)" };
        var ignore = ToolOptions.IgnoreChecksums();
        var share = ToolOptions.ForceShare();
        var command = new Command("convert", "convert between raw, dynamic and fixed (flattens differencing chains)")
        {
            source, target, to, from, exact, blockSize, sync, ignore, share,
        };
        command.SetAction(parse =>
        {
            var format = parse.GetValue(to) switch { "raw" => DiskImageFormat.Raw, "fixed" => DiskImageFormat.Fixed, _ => DiskImageFormat.Dynamic };
            DiskImageFormat? sourceFormat = parse.GetValue(from) switch { "raw" => DiskImageFormat.Raw, "vhd" => DiskImageFormat.Vhd, _ => null };
            long? block = parse.GetValue(blockSize);
            if (block is not null && format != DiskImageFormat.Dynamic) throw new UsageException("--block-size applies to --to dynamic only");
            bool exactSize = parse.GetValue(exact);
            if (exactSize && format == DiskImageFormat.Raw) throw new UsageException("--exact-size applies to VHD targets only");
            var options = new ConvertOptions
            {
                To = format,
                From = sourceFormat,
                ExactSize = exactSize,
                BlockSize = BlockSizeOption.ToInt(block),
                Sync = parse.GetValue(sync),
                OpenOptions = ToolOptions.OpenOptions(parse.GetValue(ignore), parse.GetValue(share)),
            };
            return Run(tool, tool.ShowProgress(parse), parse.GetValue(source)!, parse.GetValue(target)!, options);
        });
        return command;
    }

    private static int Run(ToolContext tool, bool progress, string source, string target, ConvertOptions options)
    {
        var env = tool.Env;
        long total = progress ? SourceSize(env, source, options) : 0;
        try
        {
            ToolProgress.Run(env, progress, "converting", total, p => VhdMaintenance.Convert(env.FileSystem, source, target, options, p, env.Cancellation));
        }
        catch (VhdFormatException e) when (ImageFiles.IsChecksum(e))
        {
            throw ImageFiles.WithChecksumHint(e);
        }
        return 0;
    }

    /// <summary>The progress bar's 100%: a VHD's virtual size, else the file's length (errors are left to the conversion).</summary>
    private static long SourceSize(ToolEnvironment env, string source, ConvertOptions options)
    {
        try
        {
            if (options.From != DiskImageFormat.Raw)
            {
                using var disk = VirtualDisk.Open(env.FileSystem, source, FileAccess.Read, options.OpenOptions);
                return disk.Length;
            }
        }
        catch (Exception e) when (e is VhdException or IOException) { /* raw, or an error Convert reports */ }
        return env.FileSystem.File.Exists(source) ? env.FileSystem.FileInfo.New(source).Length : 0;
    }
}
