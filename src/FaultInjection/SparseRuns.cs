namespace Storage.FaultInjection;

/// <summary>The data of a <see cref="SimDisk"/> as contiguous runs, for sparse copies.</summary>
internal static class SparseRuns
{
    /// <summary>Contiguous runs of stored sectors, clipped to the length, in chunks of at most <see cref="SimulationState.CopyChunk"/>.</summary>
    internal static IEnumerable<(long Offset, byte[] Bytes)> Of(SimDisk disk)
    {
        List<long> sectors = disk.VolatileSectorIndexes();
        int i = 0;
        while (i < sectors.Count)
        {
            int j = i + 1;
            while (j < sectors.Count && sectors[j] == sectors[j - 1] + 1 && (j - i) * (long)SimDisk.SectorSize < SimulationState.CopyChunk)
            {
                j++;
            }

            long offset = sectors[i] * SimDisk.SectorSize;
            long end = Math.Min(disk.Length, (sectors[j - 1] + 1) * SimDisk.SectorSize);
            var bytes = new byte[end - offset];
            disk.Read(offset, bytes);
            yield return (offset, bytes);
            i = j;
        }
    }
}
