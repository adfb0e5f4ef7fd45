namespace Storage.VhdEngine.Disks;

/// <summary>
/// Bit operations on a block's sector bitmap: bit i is the MSB-first bit of byte i/8
/// (the most significant bit of byte 0 is the block's sector 0).
/// </summary>
internal static class SectorBitmap
{
    /// <summary>True if sector <paramref name="sector"/> is marked present.</summary>
    public static bool IsSet(ReadOnlySpan<byte> bitmap, int sector) => (bitmap[sector >> 3] & (0x80 >> (sector & 7))) != 0;

    /// <summary>Marks sectors [first, first+count) present.</summary>
    public static void SetRange(Span<byte> bitmap, int first, int count)
    {
        int end = first + count;
        int s = first;
        while (s < end && (s & 7) != 0) { bitmap[s >> 3] |= (byte)(0x80 >> (s & 7)); s++; }
        while (s + 8 <= end) { bitmap[s >> 3] = 0xFF; s += 8; }
        while (s < end) { bitmap[s >> 3] |= (byte)(0x80 >> (s & 7)); s++; }
    }

    /// <summary>
    /// Length of the run of sectors starting at <paramref name="first"/> whose bit equals the bit
    /// of <paramref name="first"/>, at most <paramref name="limit"/>.
    /// </summary>
    public static int RunLength(ReadOnlySpan<byte> bitmap, int first, int limit, out bool set)
    {
        set = IsSet(bitmap, first);
        int s = first + 1;
        int end = first + limit;
        byte whole = set ? (byte)0xFF : (byte)0x00;
        while (s < end)
        {
            if ((s & 7) == 0 && s + 8 <= end && bitmap[s >> 3] == whole) { s += 8; continue; }
            if (IsSet(bitmap, s) != set) break;
            s++;
        }
        return s - first;
    }
}
