using Storage.VhdEngine.Format;

namespace Storage.VhdEngine.Disks;

/// <summary>How to create an image.</summary>
public sealed record VhdCreateOptions
{
    /// <summary>Fixed or dynamic (differencing children are made with <see cref="VirtualDisk.CreateDifferencing"/>).</summary>
    public DiskType Type { get; init; } = DiskType.Dynamic;

    /// <summary>Requested virtual size in bytes; rounded up to the CHS geometry unless <see cref="ExactSize"/>.</summary>
    public long Size { get; init; }

    /// <summary>Block size of dynamic images: a power of two from 512 KiB to 256 MiB.</summary>
    public int BlockSize { get; init; } = VhdConstants.DefaultBlockSize;

    /// <summary>Keep the exact size (rounded up to a sector) with geometry 65535/16/255, as Azure needs.</summary>
    public bool ExactSize { get; init; }

    /// <summary>Unique id to write; a new one when null.</summary>
    public Guid? UniqueId { get; init; }

    /// <summary>Creation time to record; now when null.</summary>
    public DateTime? Timestamp { get; init; }
}
