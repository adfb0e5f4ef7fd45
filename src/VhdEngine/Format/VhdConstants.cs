namespace Storage.VhdEngine.Format;

/// <summary>Sizes and limits of the format, and the limits this engine enforces on input.</summary>
internal static class VhdConstants
{
    /// <summary>A sector: the unit of bitmaps, BAT entries and atomic writes.</summary>
    public const int SectorSize = 512;
    /// <summary>Size of the footer record.</summary>
    public const int FooterSize = 512;
    /// <summary>Size of the dynamic header record.</summary>
    public const int DynamicHeaderSize = 1024;
    /// <summary>Smallest block size accepted on open.</summary>
    public const int MinBlockSize = 512;
    /// <summary>Largest block size accepted on open and on create.</summary>
    public const int MaxBlockSize = 256 * 1024 * 1024;
    /// <summary>Smallest block size offered on create.</summary>
    public const int MinCreateBlockSize = 512 * 1024;
    /// <summary>Default block size on create.</summary>
    public const int DefaultBlockSize = 2 * 1024 * 1024;
    /// <summary>Largest virtual size of a dynamic or differencing image: 2040 GiB, as qemu and Hyper-V.</summary>
    public const long MaxDynamicSize = 2040L * 1024 * 1024 * 1024;
    /// <summary>Largest virtual size of a fixed image we create (fixed images need no BAT, but stay within the spec's 2 TiB).</summary>
    public const long MaxFixedSize = 2040L * 1024 * 1024 * 1024;
    /// <summary>A BAT entry for an unallocated block.</summary>
    public const uint UnallocatedEntry = 0xFFFFFFFF;
    /// <summary>Format version written and accepted (major 1).</summary>
    public const uint FormatVersion = 0x00010000;
    /// <summary>The footer features bit that must always be set.</summary>
    public const uint FeatureReserved = 0x2;
    /// <summary>The footer's temporary-disk bit.</summary>
    public const uint FeatureTemporary = 0x1;
    /// <summary>The data offset of a fixed disk's footer: all ones.</summary>
    public const ulong NoDataOffset = ulong.MaxValue;
    /// <summary>
    /// Most BAT entries an image may declare: qemu's limit (INT_MAX / 4, a 2 GiB table). The table
    /// is read into memory, so it is bounded by this as well as by the file's length; every real
    /// image needs far fewer (2040 GiB in 512 KiB blocks is 4,177,920 entries).
    /// </summary>
    public const int MaxTableEntries = int.MaxValue / 4;
    /// <summary>Largest parent locator data we read: a Windows long path in UTF-16.</summary>
    public const int MaxLocatorLength = 65536;
    /// <summary>Number of parent locator entries in the dynamic header.</summary>
    public const int LocatorCount = 8;
    /// <summary>The VHD epoch: timestamps count seconds from here.</summary>
    public static readonly DateTime Epoch = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Bytes of a block's sector bitmap: one bit per sector, rounded up to a sector.</summary>
    public static int BitmapBytes(long blockSize)
    {
        long bits = blockSize / SectorSize;
        long bytes = (bits + 7) / 8;
        return (int)((bytes + SectorSize - 1) / SectorSize * SectorSize);
    }

    /// <summary><paramref name="bytes"/> rounded up to a whole number of sectors.</summary>
    public static long RoundUpToSector(long bytes) => (bytes + SectorSize - 1) / SectorSize * SectorSize;

    /// <summary>Seconds since 2000-01-01 UTC for <paramref name="time"/>, clamped to the field.</summary>
    public static uint ToTimestamp(DateTime time)
    {
        double s = (time.ToUniversalTime() - Epoch).TotalSeconds;
        return s <= 0 ? 0 : s >= uint.MaxValue ? uint.MaxValue : (uint)s;
    }
}
