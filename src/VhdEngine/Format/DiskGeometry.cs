namespace Storage.VhdEngine.Format;

/// <summary>CHS geometry as stored in the footer: cylinders u16, heads u8, sectors per track u8.</summary>
internal readonly record struct DiskGeometry(ushort Cylinders, byte Heads, byte SectorsPerTrack)
{
    /// <summary>The largest geometry the format can express; images with it use the current size.</summary>
    public static readonly DiskGeometry Max = new(65535, 16, 255);

    /// <summary>cylinders x heads x sectors.</summary>
    public long TotalSectors => (long)Cylinders * Heads * SectorsPerTrack;

    /// <summary>Bytes addressed by the geometry.</summary>
    public long TotalBytes => TotalSectors * VhdConstants.SectorSize;

    /// <summary>Decodes the 4-byte field.</summary>
    public static DiskGeometry FromUInt32(uint value) => new((ushort)(value >> 16), (byte)(value >> 8), (byte)value);

    /// <summary>Encodes the 4-byte field.</summary>
    public uint ToUInt32() => ((uint)Cylinders << 16) | ((uint)Heads << 8) | SectorsPerTrack;

    /// <summary>
    /// The specification's CHS algorithm (Virtual Hard Disk Image Format Specification, appendix):
    /// the geometry for <paramref name="totalSectors"/>, never addressing more than that (capped at <see cref="Max"/>).
    /// </summary>
    public static DiskGeometry FromSectors(long totalSectors)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(totalSectors);
        long maxSectors = Max.TotalSectors;
        if (totalSectors > maxSectors) totalSectors = maxSectors;
        long sectorsPerTrack, heads, cylinderTimesHeads;
        if (totalSectors >= 65535L * 16 * 63)
        {
            sectorsPerTrack = 255;
            heads = 16;
            cylinderTimesHeads = totalSectors / sectorsPerTrack;
        }
        else
        {
            sectorsPerTrack = 17;
            cylinderTimesHeads = totalSectors / sectorsPerTrack;
            heads = (cylinderTimesHeads + 1023) / 1024;
            if (heads < 4) heads = 4;
            if (cylinderTimesHeads >= heads * 1024 || heads > 16)
            {
                sectorsPerTrack = 31;
                heads = 16;
                cylinderTimesHeads = totalSectors / sectorsPerTrack;
            }
            if (cylinderTimesHeads >= heads * 1024)
            {
                sectorsPerTrack = 63;
                heads = 16;
                cylinderTimesHeads = totalSectors / sectorsPerTrack;
            }
        }
        long cylinders = Math.Min(cylinderTimesHeads / heads, 65535);
        return new DiskGeometry((ushort)cylinders, (byte)heads, (byte)sectorsPerTrack);
    }

    /// <summary>
    /// The creation rule qemu-img uses: the smallest spec geometry addressing at least
    /// <paramref name="requestedBytes"/> (rounded up to whole sectors). Returns the geometry and
    /// the resulting virtual size; when the size needs the maximum geometry the requested
    /// size itself is kept (as qemu does) and the geometry is <see cref="Max"/>.
    /// </summary>
    public static (DiskGeometry Geometry, long VirtualSize) ForCreate(long requestedBytes)
    {
        long sectors = (requestedBytes + VhdConstants.SectorSize - 1) / VhdConstants.SectorSize;
        long wanted = Math.Min(Max.TotalSectors, sectors);
        DiskGeometry g = default;
        // Each step moves at most one cylinder, so this ends after at most heads*spt steps.
        for (long i = 0; wanted > g.TotalSectors; i++)
            g = FromSectors(wanted + i);
        if (g.TotalSectors == Max.TotalSectors)
            return (Max, sectors * VhdConstants.SectorSize);
        return (g, g.TotalBytes);
    }
}
