namespace Storage.VhdEngine.Format;

/// <summary>Byte offsets of the dynamic header's fields (all big-endian).</summary>
internal static class DynamicHeaderFieldLocations
{
    /// <summary>"cxsparse", 8 bytes.</summary>
    public const int Cookie = 0;
    /// <summary>Data offset, u64 (all ones).</summary>
    public const int DataOffset = 8;
    /// <summary>BAT offset, u64.</summary>
    public const int TableOffset = 16;
    /// <summary>Header version, u32.</summary>
    public const int HeaderVersion = 24;
    /// <summary>Max table entries, u32.</summary>
    public const int MaxTableEntries = 28;
    /// <summary>Block size, u32.</summary>
    public const int BlockSize = 32;
    /// <summary>Checksum, u32.</summary>
    public const int Checksum = 36;
    /// <summary>Parent unique id, 16 bytes.</summary>
    public const int ParentUniqueId = 40;
    /// <summary>Parent timestamp, u32.</summary>
    public const int ParentTimestamp = 56;
    /// <summary>Reserved, 4 bytes.</summary>
    public const int Reserved1 = 60;
    /// <summary>Parent unicode name, 512 bytes UTF-16BE.</summary>
    public const int ParentUnicodeName = 64;
    /// <summary>Length of the parent name field.</summary>
    public const int ParentUnicodeNameLength = 512;
    /// <summary>Eight parent locator entries of 24 bytes.</summary>
    public const int ParentLocators = 576;
    /// <summary>Reserved bytes to the end of the record.</summary>
    public const int Reserved2 = 768;
    /// <summary>Length of the trailing reserved area.</summary>
    public const int Reserved2Length = VhdConstants.DynamicHeaderSize - Reserved2;
}
