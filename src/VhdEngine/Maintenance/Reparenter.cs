using System.IO.Abstractions;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;

namespace Storage.VhdEngine.Maintenance;

/// <summary>
/// Relinks a differencing image to its parent at a new path (Set-VHD -ParentPath; vhd-util modify
/// -p), crash-safely: a new header (parent id, timestamp, name) and new W2ru and W2ku locator data
/// are written past the end of the file, the end footer moving first as for a block allocation,
/// fsynced; then the footer's data offset points at the new header, the copy at offset 0 first (one
/// sector, and the copy is the footer in force while the two differ), fsynced. Until that sector
/// lands the child reads its old parent; after it, the new one; the old header is leaked space.
/// </summary>
internal static class Reparenter
{
    /// <summary>
    /// Points <paramref name="childPath"/> at <paramref name="parentPath"/>. The new parent's unique id
    /// must be the one the child records, unless <paramref name="ignoreIdMismatch"/> (then the child
    /// records the new parent's id and reads through whatever it holds).
    /// </summary>
    /// <exception cref="ArgumentException">The child and the parent are the same file.</exception>
    /// <exception cref="VhdException">The child is not a differencing image; or the ids differ and the mismatch is not ignored.</exception>
    /// <exception cref="VhdImageInUseException">The child is open elsewhere, or the parent is being written.</exception>
    /// <exception cref="VhdFormatException">Either image is malformed, or the parent's chain is broken.</exception>
    /// <exception cref="VhdIOException">A file cannot be read or written.</exception>
    public static void SetParent(IFileSystem fs, string childPath, string parentPath, bool ignoreIdMismatch = false, VhdOpenOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(fs);
        ArgumentNullException.ThrowIfNull(childPath);
        ArgumentNullException.ThrowIfNull(parentPath);
        using var activity = VhdTelemetry.ActivitySource.StartActivity("vhd.set-parent");
        options = (options ?? new VhdOpenOptions()) with { ForceShare = false };
        string childFull = fs.Path.GetFullPath(childPath), parentFull = fs.Path.GetFullPath(parentPath);
        if (childFull == parentFull) throw new ArgumentException($"{childFull}: cannot be its own parent", nameof(parentPath));
        var child = CommitFile.Open(fs, childFull, exclusive: true, options);
        try
        {
            if (child.Metadata.Footer.DiskType != VhdDiskType.Differencing)
                throw new VhdException($"{childFull}: is a {child.Metadata.Footer.DiskType.ToString().ToLowerInvariant()} image, not a differencing one; it has no parent to set");
            // The whole new chain opens (held shared meanwhile): a parent that is broken, or whose chain leads back to the child (locked here), is refused.
            using var parent = VirtualDisk.Open(fs, parentFull, FileAccess.Read, options with { ShareParents = false });
            Guid id = parent.Footer.UniqueId;
            Guid expected = child.Metadata.Header!.ParentUniqueId;
            if (id != expected && !ignoreIdMismatch)
                throw new VhdException(
                    $"{childFull}: expects parent id {expected:N} but '{parentFull}' has id {id:N}: it is not the image the child was made from, or it changed since; "
                    + "nothing was written. --ignore-id-mismatch relinks anyway, and the child then reads through whatever that image holds");
            uint time = VhdConstants.ToTimestamp(fs.File.GetLastWriteTimeUtc(parentFull));
            Relink(fs, child, parentFull, id, time, options);
        }
        finally
        {
            child.Dispose();
            child.RestoreAttributes();
        }
    }

    /// <summary>New header and locators past the end (fsynced), then the footers point at them (fsynced).</summary>
    private static void Relink(IFileSystem fs, CommitFile child, string parentFull, Guid parentId, uint parentTime, VhdOpenOptions options)
    {
        var m = child.Metadata;
        long at = VhdConstants.RoundUpToSector(m.FooterOffset);
        var data = VirtualDisk.ParentLocatorData(fs, child.Path, parentFull);
        var locators = VirtualDisk.LayOutLocators(data, at + VhdConstants.DynamicHeaderSize, out long end);
        var header = (m.Header! with
        {
            ParentUniqueId = parentId,
            ParentTimestamp = parentTime,
            ParentUnicodeNameBytes = DynamicHeader.EncodeParentName(ParentLocatorResolver.ToAbsoluteWindowsPath(parentFull)),
            ParentLocators = locators,
        }).WithChecksum();
        child.File.WriteAt(ImageMetadata.FirstBlockOffset(end, m.BitmapBytes), m.Footer.ToArray());
        child.File.WriteAt(at, header.ToArray());
        for (int i = 0; i < data.Count; i++) child.File.WriteAt((long)locators[i].PlatformDataOffset, data[i].Data);
        child.File.Sync();
        child.Reload(options);
        child.WriteFooter((child.Metadata.Footer with { DataOffset = (ulong)at }).WithChecksum());
    }
}
