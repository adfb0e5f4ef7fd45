using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;

namespace Storage.VhdTool;

/// <summary>`vhd create`: a new fixed or dynamic image.</summary>
internal sealed class CreateCommand : ICommand
{
    public string Name => "create";
    public string Summary => "create a fixed or dynamic image";
    public string Usage => "vhd create IMAGE --size SIZE [--type dynamic|fixed] [--block-size SIZE] [--exact-size]";
    public IReadOnlyCollection<string> ValueOptions { get; } = ["--size", "--type", "--block-size"];
    public IReadOnlyCollection<string> Flags { get; } = ["--exact-size"];

    public int Run(CommandLine args, ToolEnvironment env)
    {
        string image = args.Positional(0, "IMAGE");
        args.NoMorePositionals(1);
        long size = args.RequiredSize("--size");
        bool fixedType = args.Choice("--type", ["dynamic", "fixed"], "dynamic") == "fixed";
        long? blockSize = args.Size("--block-size");
        if (blockSize is not null && fixedType) throw args.Error("--block-size applies to dynamic images only");
        var options = new VhdCreateOptions
        {
            Type = fixedType ? DiskType.Fixed : DiskType.Dynamic,
            Size = size,
            BlockSize = BlockSizeOption.ToInt(blockSize, args),
            ExactSize = args.Flag("--exact-size"),
        };
        return ToolStore.Run(env, async (store, ct) =>
        {
            // Disposing the only handle flushes and closes the new image.
            await using var disk = await store.CreateAsync(image, options, ct).ConfigureAwait(false);
            return 0;
        });
    }
}
