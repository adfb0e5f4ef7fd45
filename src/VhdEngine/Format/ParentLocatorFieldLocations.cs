namespace Storage.VhdEngine.Format;

/// <summary>Byte offsets inside one 24-byte parent locator entry.</summary>
internal static class ParentLocatorFieldLocations
{
    /// <summary>Platform code, u32 ("W2ku", "W2ru", "MacX", ...).</summary>
    public const int PlatformCode = 0;
    /// <summary>Platform data space, u32 (sectors per the spec; bytes in Microsoft's tools).</summary>
    public const int PlatformDataSpace = 4;
    /// <summary>Platform data length in bytes, u32.</summary>
    public const int PlatformDataLength = 8;
    /// <summary>Reserved u32.</summary>
    public const int Reserved = 12;
    /// <summary>Absolute file offset of the locator data, u64.</summary>
    public const int PlatformDataOffset = 16;
    /// <summary>Size of one entry.</summary>
    public const int Size = 24;
}
