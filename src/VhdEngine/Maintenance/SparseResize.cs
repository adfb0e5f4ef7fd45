using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;

namespace Storage.VhdEngine.Maintenance;

/// <summary>
/// Resizing a dynamic or differencing image. A grow that needs more BAT entries than the table has
/// writes the larger table first (in place when the space after it is free, else at the end of the
/// file with the allocation protocol: the end footer moves first, the table overwrites the old one),
/// fsynced; then the header's first sector (table offset, entry count, checksum: one atomic sector)
/// points at it, fsynced; then the footers get the new size, the copy at offset 0 first (it is the
/// one in force while the two differ), fsynced. Every step leaves an image that opens at the old or
/// the new size, and a rerun does what is left. A shrink only rewrites the footers.
/// </summary>
internal static class SparseResize
{
    public static void Run(CommitFile image, VhdFooter footer, VhdOpenOptions options)
    {
        var m = image.Metadata;
        long blockSize = m.Header!.BlockSize;
        long entries = ((long)footer.CurrentSize + blockSize - 1) / blockSize;
        if (entries > m.Header.MaxTableEntries)
        {
            GrowTable(image, (int)entries);
            image.Reload(options);
        }
        image.WriteFooter(footer);
    }

    /// <summary>Writes the table with <paramref name="entries"/> entries where it fits, then points the header at it.</summary>
    private static void GrowTable(CommitFile image, int entries)
    {
        var m = image.Metadata;
        var header = m.Header!;
        var table = new BlockAllocationTable(new uint[entries]);
        for (int i = 0; i < entries; i++)
            table.Set(i, i < m.Bat!.Count ? m.Bat[i] : VhdConstants.UnallocatedEntry);
        long bytes = BlockAllocationTable.BytesOnDisk(entries);
        long offset = (long)header.TableOffset;
        if (offset + bytes > NextOccupied(m, offset))
        {
            // No room after the table: it goes where the end footer is, and the footer moves past it.
            offset = VhdConstants.RoundUpToSector(m.FooterOffset);
            long footerAt = ImageMetadata.FirstBlockOffset(offset + bytes, m.BitmapBytes);
            image.File.WriteAt(footerAt, m.Footer.ToArray());
        }
        table.WriteDirty(image.File, offset);
        image.File.Sync();
        image.WriteHeaderFirstSector((header with { TableOffset = (ulong)offset, MaxTableEntries = (uint)entries }).WithChecksum());
    }

    /// <summary>Where the next thing after the table starts: metadata, a block, or the end footer.</summary>
    private static long NextOccupied(ImageMetadata m, long tableOffset)
    {
        long next = m.FooterOffset;
        foreach (var r in m.MetadataRegions)
            if (r.Start > tableOffset) next = Math.Min(next, r.Start);
        for (long b = 0; b < m.Bat!.Count; b++)
            if (m.Bat.IsAllocated(b)) next = Math.Min(next, (long)m.Bat[b] * VhdConstants.SectorSize);
        return next;
    }
}
