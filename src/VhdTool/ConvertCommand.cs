using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Maintenance;

namespace Storage.VhdTool;

/// <summary>`vhd convert`: raw or any VHD to raw, dynamic or fixed (Storage.VhdEngine.Maintenance.Converter does the work).</summary>
internal sealed class ConvertCommand : ICommand
{
    public string Name => "convert";
    public string Summary => "convert between raw, dynamic and fixed (flattens differencing chains)";
    public string Usage => "vhd convert SOURCE TARGET --to raw|dynamic|fixed [--from raw|vhd] [--exact-size] [--block-size SIZE] [--sync]";
    public IReadOnlyCollection<string> ValueOptions { get; } = ["--to", "--from", "--block-size"];
    public IReadOnlyCollection<string> Flags { get; } = ["--exact-size", "--sync"];

    public int Run(CommandLine args, ToolEnvironment env)
    {
        string source = args.Positional(0, "SOURCE");
        string target = args.Positional(1, "TARGET");
        args.NoMorePositionals(2);
        if (args.Value("--to") is null) throw args.Error("missing --to");
        var to = args.Choice("--to", ["raw", "dynamic", "fixed"], "dynamic") switch
        {
            "raw" => ConvertFormat.Raw,
            "fixed" => ConvertFormat.Fixed,
            _ => ConvertFormat.Dynamic,
        };
        var from = args.Choice("--from", ["raw", "vhd"], "auto") switch
        {
            "raw" => SourceFormat.Raw,
            "vhd" => SourceFormat.Vhd,
            _ => SourceFormat.Auto,
        };
        long? blockSize = args.Size("--block-size");
        if (blockSize is not null && to != ConvertFormat.Dynamic) throw args.Error("--block-size applies to --to dynamic only");
        bool exact = args.Flag("--exact-size");
        if (exact && to == ConvertFormat.Raw) throw args.Error("--exact-size applies to VHD targets only");
        // --sync: fsync the target before exiting; by default it is left to write-back, as cp and qemu-img convert do.
        var options = new ConvertOptions { To = to, From = from, ExactSize = exact, BlockSize = BlockSizeOption.ToInt(blockSize, args), Sync = args.Flag("--sync") };

        long total = env.ShowProgress ? SourceSize(env, source, from) : 0;
        using var progress = env.ShowProgress ? new ConsoleProgress(env.Error, "converting", total) : null;
        try
        {
            Converter.Convert(env.FileSystem, source, target, options, progress, env.Cancellation);
        }
        catch (VhdFormatException e)
        {
            throw ImageFiles.WithPath(source, e);
        }
        return 0;
    }

    /// <summary>The progress bar's 100%: a VHD's virtual size, else the file's length (errors are left to the conversion).</summary>
    private static long SourceSize(ToolEnvironment env, string source, SourceFormat from)
    {
        try
        {
            if (from != SourceFormat.Raw)
            {
                using var disk = VirtualDisk.Open(env.FileSystem, source);
                return disk.Length;
            }
        }
        catch (Exception e) when (e is VhdException or IOException) { /* raw, or an error Convert reports */ }
        return env.FileSystem.File.Exists(source) ? env.FileSystem.FileInfo.New(source).Length : 0;
    }
}
