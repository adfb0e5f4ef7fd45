using Storage.VhdEngine.Disks;

namespace Storage.VhdTool;

/// <summary>The --block-size option: the engine checks the value; here it only has to fit an int.</summary>
internal static class BlockSizeOption
{
    /// <summary>The block size, or the default when absent.</summary>
    public static int ToInt(long? value)
    {
        if (value is null) return VhdCreateOptions.DefaultBlockSize;
        if (value > int.MaxValue) throw new UsageException($"bad value for --block-size: {value} is too large (at most {VhdCreateOptions.MaxBlockSize})");
        return (int)value;
    }
}
