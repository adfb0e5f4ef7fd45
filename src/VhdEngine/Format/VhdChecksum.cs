namespace Storage.VhdEngine.Format;

/// <summary>The VHD checksum: one's complement of the byte sum, the checksum field taken as zero.</summary>
internal static class VhdChecksum
{
    /// <summary>Computes the checksum of <paramref name="record"/>, skipping the 4 bytes at <paramref name="checksumOffset"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> record, int checksumOffset)
    {
        uint sum = 0;
        for (int i = 0; i < record.Length; i++)
        {
            if ((uint)(i - checksumOffset) < 4) continue;
            sum += record[i];
        }
        return ~sum;
    }
}
