using Storage.VhdEngine.Disks;

namespace Storage.VhdEngine.Maintenance;

/// <summary>How <see cref="VhdMaintenance.Convert"/> converts one image file into another.</summary>
public sealed record ConvertOptions
{
    /// <summary>Block size of a dynamic target unless <see cref="BlockSize"/> says otherwise: 2 MiB.</summary>
    public const int DefaultBlockSize = VhdCreateOptions.DefaultBlockSize;

    /// <summary>The format to write (default <see cref="DiskImageFormat.Dynamic"/>; <see cref="DiskImageFormat.Vhd"/> writes a dynamic VHD too).</summary>
    public DiskImageFormat To { get; init; } = DiskImageFormat.Dynamic;

    /// <summary>
    /// How to read the source: null (the default) probes it (a VHD if it opens as one; raw if it
    /// does not and has no VHD footer cookie; a file with the cookie that does not open is a damaged
    /// VHD, and its format error is thrown rather than guessing "raw"); <see cref="DiskImageFormat.Raw"/>
    /// reads its bytes as they are; any other value reads it as a VHD.
    /// </summary>
    public DiskImageFormat? From { get; init; }

    /// <summary>
    /// VHD targets: keep the virtual size exact (rounded up to a sector, geometry 65535/16/255)
    /// instead of rounding a raw source's length up to the CHS geometry.
    /// </summary>
    public bool ExactSize { get; init; }

    /// <summary>Block size of a dynamic target: a power of two from 512 KiB to 256 MiB.</summary>
    public int BlockSize { get; init; } = DefaultBlockSize;

    /// <summary>
    /// Make the target durable (fsync) before returning. Off by default: the target is complete
    /// for every reader when the conversion returns but is left to the kernel's write-back, as
    /// cp and qemu-img convert leave theirs; a crash soon after may lose it.
    /// </summary>
    public bool Sync { get; init; }

    /// <summary>How to open a VHD source and resolve its parents; null for the defaults.</summary>
    public VhdOpenOptions? OpenOptions { get; init; }
}
