namespace Storage.VhdEngine.Format;

/// <summary>Byte offsets of the footer's fields (all big-endian).</summary>
internal static class FooterFieldLocations
{
    /// <summary>"conectix", 8 bytes.</summary>
    public const int Cookie = 0;
    /// <summary>Features, u32.</summary>
    public const int Features = 8;
    /// <summary>File format version, u32.</summary>
    public const int FormatVersion = 12;
    /// <summary>Offset of the dynamic header, u64 (all ones for fixed disks).</summary>
    public const int DataOffset = 16;
    /// <summary>Seconds since 2000-01-01 UTC, u32.</summary>
    public const int Timestamp = 24;
    /// <summary>Creator application, 4 ASCII bytes.</summary>
    public const int CreatorApplication = 28;
    /// <summary>Creator version, u32.</summary>
    public const int CreatorVersion = 32;
    /// <summary>Creator host OS, 4 ASCII bytes.</summary>
    public const int CreatorHostOs = 36;
    /// <summary>Original size, u64.</summary>
    public const int OriginalSize = 40;
    /// <summary>Current size, u64.</summary>
    public const int CurrentSize = 48;
    /// <summary>Disk geometry, u32 (u16 cylinders, u8 heads, u8 sectors per track).</summary>
    public const int DiskGeometry = 56;
    /// <summary>Disk type, u32.</summary>
    public const int DiskType = 60;
    /// <summary>Checksum, u32.</summary>
    public const int Checksum = 64;
    /// <summary>Unique id, 16 bytes.</summary>
    public const int UniqueId = 68;
    /// <summary>Saved state, 1 byte.</summary>
    public const int SavedState = 84;
    /// <summary>Reserved bytes to the end of the record.</summary>
    public const int Reserved = 85;
    /// <summary>Length of the reserved area.</summary>
    public const int ReservedLength = VhdConstants.FooterSize - Reserved;
}
