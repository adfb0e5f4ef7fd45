using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;

namespace Storage.VhdEngine.Maintenance;

/// <summary>How <see cref="Converter.Convert"/> converts one image file into another.</summary>
public sealed record ConvertOptions
{
    /// <summary>The format to write.</summary>
    public ConvertFormat To { get; init; } = ConvertFormat.Dynamic;

    /// <summary>How to treat the source; <see cref="SourceFormat.Auto"/> probes it.</summary>
    public SourceFormat From { get; init; } = SourceFormat.Auto;

    /// <summary>
    /// VHD targets: keep the virtual size exact (rounded up to a sector, geometry 65535/16/255)
    /// instead of rounding a raw source's length up to the CHS geometry.
    /// </summary>
    public bool ExactSize { get; init; }

    /// <summary>Block size of a dynamic target.</summary>
    public int BlockSize { get; init; } = VhdConstants.DefaultBlockSize;

    /// <summary>
    /// Make the target durable (fsync) before returning. Off by default: the target is complete
    /// for every reader when the conversion returns but is left to the kernel's write-back, as
    /// cp and qemu-img convert leave theirs; a crash soon after may lose it.
    /// </summary>
    public bool Sync { get; init; }

    /// <summary>How to open a VHD source and resolve its parents; null for the defaults.</summary>
    public VhdOpenOptions? OpenOptions { get; init; }
}
