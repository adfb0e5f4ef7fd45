using System.IO.Abstractions;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;

namespace Storage.VhdEngine.Maintenance;

/// <summary>
/// Checks an image without changing it, and repairs what can be repaired without touching
/// data a BAT entry references: the end footer (written back from the copy), the footer copy
/// (from the end footer) and leaked space at the tail of the file (truncated).
/// </summary>
internal static class Checker
{
    /// <summary>Checks footer/copy agreement, checksums, header fields, BAT entries, bitmaps, locators and the parent.</summary>
    public static CheckReport Check(IFileSystem fs, string path, VhdOpenOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(fs);
        ArgumentNullException.ThrowIfNull(path);
        using var activity = VhdTelemetry.ActivitySource.StartActivity("vhd.check");
        var report = new CheckFindings();
        string full = fs.Path.GetFullPath(path);
        if (Lock(fs, full, options, report) is not { } imageLock) return report.ToReport();
        using (imageLock)
        {
            var file = imageLock.File;
            ImageMetadata m;
            try { m = ImageMetadata.Load(file, options?.AcceptChecksumMismatch ?? false); }
            catch (VhdException e) { report.Errors.Add(e.Message); return report.ToReport(); }
            report.Warnings.AddRange(m.Warnings);
            if (CommitIntent.Read(m.Footer) is { } intent)
                report.Warnings.Add($"a forced commit into its parent is recorded as in progress (parent id {intent.OldParentId:N} to {intent.NewParentId:N}): run the commit again to finish it");
            if (m.Footer.DiskType == VhdDiskType.Fixed)
            {
                long extra = m.FileLength - VhdConstants.FooterSize - m.VirtualSize;
                if (extra > 0 && VirtualSizeRule.VirtualSize(m.Footer) == m.Footer.CurrentSize)
                    report.Warnings.Add($"{extra} bytes between the data and the footer");
                return report.ToReport();
            }
            if (m.FooterCopy is null)
                report.Warnings.Add("no valid footer copy at offset 0");
            CheckBitmaps(file, m, report);
            MeasureLeaks(m, report);
            if (m.FileLength > m.FooterOffset + VhdConstants.FooterSize)
                report.Warnings.Add($"{m.FileLength - m.FooterOffset - VhdConstants.FooterSize} bytes after the end footer");
            if (m.Footer.DiskType == VhdDiskType.Differencing)
                CheckParent(fs, imageLock, options, report);
        }
        if (report.LeakedBytes > 0)
            report.Warnings.Add($"{report.LeakedBytes} bytes of leaked space ({report.ReclaimableBytes} reclaimable by repair)");
        return report.ToReport();
    }

    /// <summary>
    /// The image's shared lock (forced with ForceShare), its warning noted; null, with the error
    /// noted, when the file cannot be locked for a reason that is a finding about it.
    /// </summary>
    private static ImageLock? Lock(IFileSystem fs, string full, VhdOpenOptions? options, CheckFindings report)
    {
        ImageLock imageLock;
        // A lock refusal is not a finding about the image: it propagates (check again later, or ForceShare).
        var mode = options?.ForceShare == true ? ImageLockMode.ForceShare : ImageLockMode.Shared;
        try { imageLock = ImageLock.Acquire(fs, full, mode); }
        catch (VhdException e) when (e is not VhdImageInUseException) { report.Errors.Add(e.Message); return null; }
        if (imageLock.Warning is { } warning) report.Warnings.Add(warning);
        return imageLock;
    }

    /// <summary>A bitmap that is a footer is the trace of an allocation whose bitmap write never landed.</summary>
    private static void CheckBitmaps(BlockFile file, ImageMetadata m, CheckFindings report)
    {
        var bat = m.Bat!;
        Span<byte> sector = stackalloc byte[VhdConstants.SectorSize];
        for (long block = 0; block < bat.Count; block++)
        {
            if (!bat.IsAllocated(block)) continue;
            file.ReadAt((long)bat[block] * VhdConstants.SectorSize, sector);
            var f = VhdFooter.Read(sector);
            if (f.HasValidCookie && f.HasValidChecksum)
                report.Errors.Add($"BAT entry {block}: the bitmap at sector {bat[block]} holds a footer (the block's bitmap was never written)");
        }
    }

    /// <summary>
    /// Space between the metadata and the end footer that no block covers. Gaps smaller than one
    /// block slot are alignment padding (Virtual PC and Hyper-V leave some), not leaks.
    /// </summary>
    private static void MeasureLeaks(ImageMetadata m, CheckFindings report)
    {
        long slot = m.BitmapBytes + (long)m.Header!.BlockSize;
        var bat = m.Bat!;
        var starts = new List<long>();
        foreach (uint e in bat.Entries)
            if (e != VhdConstants.UnallocatedEntry) starts.Add((long)e * VhdConstants.SectorSize);
        starts.Sort();
        long cursor = m.MetadataEnd;
        long leaked = 0;
        foreach (long s in starts)
        {
            if (s >= cursor && s - cursor >= slot) leaked += s - cursor;
            cursor = Math.Max(cursor, s + slot);
        }
        long tail = LeakedTail(m);
        if (tail > 0)
        {
            leaked += tail;
            report.ReclaimableBytes = m.FooterOffset - RepairTarget(m);
        }
        report.LeakedBytes = leaked;
    }

    /// <summary>
    /// The space between the last block (or the metadata) and the end footer when it is at least
    /// one block slot, which repair truncates; 0 when it is only alignment padding.
    /// </summary>
    private static long LeakedTail(ImageMetadata m)
    {
        long tail = m.FooterOffset - Math.Max(m.MetadataEnd, m.BlocksEnd);
        return tail >= m.BitmapBytes + (long)m.Header!.BlockSize ? tail : 0;
    }

    private static long RepairTarget(ImageMetadata m) =>
        m.BlocksEnd > 0 ? Math.Max(m.BlocksEnd, m.MetadataEnd) : ImageMetadata.FirstBlockOffset(m.MetadataEnd, m.BitmapBytes);

    /// <summary>Opens the chain over the lock the check holds (no second open of the image) and compares the parent's timestamp.</summary>
    private static void CheckParent(IFileSystem fs, ImageLock imageLock, VhdOpenOptions? options, CheckFindings report)
    {
        try
        {
            using var disk = VirtualDisk.OpenOver(imageLock, options ?? VhdOpenOptions.Default, new ChainContext(), ownsLock: false);
            if (disk is DifferencingDisk d)
            {
                uint expected = d.Header!.ParentTimestamp;
                uint actual = VhdConstants.ToTimestamp(fs.File.GetLastWriteTimeUtc(d.ParentPath));
                if (expected != 0 && expected != actual)
                    report.Warnings.Add($"parent timestamp {expected} differs from the parent file's modification time {actual} (the parent may have changed)");
            }
        }
        catch (VhdException e) when (e is not VhdImageInUseException) { report.Errors.Add(e.Message); }
    }

    /// <summary>
    /// Repairs what <see cref="Check"/> reports as warnings: restores the end footer and the
    /// footer copy, and truncates leaked space at the tail. Refuses images with errors it cannot
    /// fix. Each step is crash-safe: the file always holds a valid footer.
    /// Returns the report of a check run after the repair.
    /// </summary>
    public static CheckReport Repair(IFileSystem fs, string path, VhdOpenOptions? options = null)
    {
        string full = fs.Path.GetFullPath(path);
        using (var file = BlockFile.Open(fs, full, writable: true))
        {
            var m = ImageMetadata.Load(file);
            if (m.Footer.DiskType != VhdDiskType.Fixed)
            {
                var footer = m.Footer.ToArray();
                long target = LeakedTail(m) > 0 ? RepairTarget(m) : m.FooterOffset;
                bool footerOk = m.EndFooterState == EndFooterState.Valid && target == m.FooterOffset;
                if (!footerOk)
                {
                    // New footer first, durable, then the length: a crash between leaves either footer valid at the end.
                    file.WriteAt(target, footer);
                    file.Sync();
                }
                if (file.Length != target + VhdConstants.FooterSize)
                {
                    file.SetLength(target + VhdConstants.FooterSize);
                    file.Sync();
                }
                if (m.FooterCopy is null)
                {
                    file.WriteAt(0, footer);
                    file.Sync();
                }
            }
        }
        return Check(fs, full, options);
    }
}
