namespace Storage.VhdEngine.Disks;

/// <summary>How <see cref="VirtualDisk.Create"/> makes a new image.</summary>
public sealed record VhdCreateOptions
{
    /// <summary>The default block size of a dynamic image: 2 MiB, as Hyper-V and qemu-img.</summary>
    public const int DefaultBlockSize = Format.VhdConstants.DefaultBlockSize;

    /// <summary>The smallest block size a new dynamic image may have: 512 KiB.</summary>
    public const int MinBlockSize = Format.VhdConstants.MinCreateBlockSize;

    /// <summary>The largest block size a dynamic image may have: 256 MiB.</summary>
    public const int MaxBlockSize = Format.VhdConstants.MaxBlockSize;

    /// <summary>The largest virtual size of an image: 2040 GiB, as Hyper-V and qemu-img.</summary>
    public const long MaxSize = Format.VhdConstants.MaxDynamicSize;

    /// <summary>
    /// <see cref="VhdDiskType.Fixed"/> or <see cref="VhdDiskType.Dynamic"/> (the default); differencing
    /// images are made over a parent with <see cref="VirtualDisk.CreateDifferencing"/>.
    /// </summary>
    public VhdDiskType Type { get; init; } = VhdDiskType.Dynamic;

    /// <summary>
    /// Requested virtual size in bytes, at most <see cref="MaxSize"/>. Rounded up to the CHS
    /// geometry the VHD specification computes (so the virtual size may come out a little larger,
    /// as qemu-img's does) unless <see cref="ExactSize"/>.
    /// </summary>
    public long Size { get; init; }

    /// <summary>Block size of a dynamic image: a power of two from <see cref="MinBlockSize"/> to <see cref="MaxBlockSize"/>.</summary>
    public int BlockSize { get; init; } = DefaultBlockSize;

    /// <summary>Keep the exact size (rounded up to a sector) with geometry 65535/16/255, as Azure needs.</summary>
    public bool ExactSize { get; init; }

    /// <summary>Unique id to write; a new one when null.</summary>
    public Guid? UniqueId { get; init; }

    /// <summary>Creation time to record (whole seconds from 2000-01-01 UTC); now when null.</summary>
    public DateTimeOffset? Timestamp { get; init; }
}
