using System.IO.Abstractions;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;

namespace Storage.VhdEngine.Maintenance;

/// <summary>
/// Grows or shrinks an image in place (Resize-VHD; DESIGN.md §13) without rewriting its data:
/// the footers (and for dynamic and differencing images the BAT and the header) change, each
/// step fsynced before the next points at it, so an interrupted run leaves an image that opens at
/// the old or the new size, checks clean and reads the same, and running it again completes it.
/// </summary>
internal static class Resizer
{
    private static readonly HashSet<uint> ExactSizeCreators =
        [FourCc.FromText("win "), FourCc.FromText("qem2"), FourCc.FromText("d2v "), FourCc.FromText("CTXS"), FourCc.FromText("wa\0\0")];

    /// <summary>Resizes <paramref name="path"/>, locked exclusively throughout; returns the new virtual size.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The size is not positive or over the format's limit.</exception>
    /// <exception cref="VhdException">A shrink without <see cref="ResizeOptions.AllowShrink"/>, or over allocated data (the first block or offset named); or the image is a parent and the resize is not forced.</exception>
    /// <exception cref="VhdImageInUseException">The image is open elsewhere.</exception>
    /// <exception cref="VhdFormatException">The image is malformed.</exception>
    /// <exception cref="VhdIOException">The file cannot be read or written.</exception>
    public static long Resize(IFileSystem fs, string path, ResizeOptions resize, VhdOpenOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(fs);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(resize);
        using var activity = VhdTelemetry.ActivitySource.StartActivity("vhd.resize");
        options = (options ?? new VhdOpenOptions()) with { ForceShare = false };
        var image = CommitFile.Open(fs, fs.Path.GetFullPath(path), exclusive: true, options);
        try
        {
            var footer = NewFooter(image.Path, image.Metadata.Footer, resize.Size);
            long size = (long)footer.CurrentSize;
            RefuseShrink(image, size, resize.AllowShrink);
            ParentGuard.Check(fs, image, resize.Force, "resized", options);
            footer = footer with { UniqueId = image.Metadata.Footer.UniqueId };
            if (footer.DiskType == VhdDiskType.Fixed) FixedResize.Run(image, footer.WithChecksum());
            else SparseResize.Run(image, footer.WithChecksum(), options);
            activity?.SetTag("vhd.resize.size", size);
            return size;
        }
        finally
        {
            image.Dispose();
            image.RestoreAttributes();
        }
    }

    /// <summary>
    /// The footer at the new size, by creation's rules: an image that keeps its exact size (geometry
    /// 65535/16/255, or a creator whose readers use the current size) gets the size rounded up to a
    /// sector; any other the smallest CHS geometry holding it, as qemu reads those by geometry.
    /// </summary>
    internal static VhdFooter NewFooter(string path, VhdFooter footer, long requested)
    {
        long limit = footer.DiskType == VhdDiskType.Fixed ? VhdConstants.MaxFixedSize : VhdConstants.MaxDynamicSize;
        if (requested <= 0 || requested > limit)
            throw new ArgumentOutOfRangeException("resize", requested, $"{path}: new size {requested} is not between 1 and {limit} bytes (2040 GiB)" + " (ResizeOptions.Size)");
        long sectors = (requested + VhdConstants.SectorSize - 1) / VhdConstants.SectorSize;
        var (geometry, size) = footer.Geometry == DiskGeometry.Max ? (DiskGeometry.Max, sectors * VhdConstants.SectorSize)
            : ExactSizeCreators.Contains(footer.CreatorApplication) ? (DiskGeometry.FromSectors(sectors), sectors * VhdConstants.SectorSize)
            : DiskGeometry.ForCreate(requested);
        if (size > limit)
            throw new ArgumentOutOfRangeException("resize", requested, $"{path}: new size {requested} rounds to {size}, over the limit of {limit} bytes" + " (ResizeOptions.Size)");
        // Original size too: libvhdi reads the media size from it.
        return footer with { OriginalSize = (ulong)size, CurrentSize = (ulong)size, Geometry = geometry };
    }

    /// <summary>A shrink needs <paramref name="allow"/>, and nothing stored past the new end.</summary>
    private static void RefuseShrink(CommitFile image, long size, bool allow)
    {
        var m = image.Metadata;
        if (size >= m.VirtualSize) return;
        if (!allow)
            throw new VhdException($"{image.Path}: shrinking from {m.VirtualSize} to {size} bytes cuts off the end of the disk; pass --allow-shrink (ResizeOptions.AllowShrink) to shrink");
        if (m.Footer.DiskType == VhdDiskType.Fixed)
        {
            long nonZero = FixedResize.FirstNonZero(image.File, size, m.VirtualSize);
            if (nonZero >= 0)
                throw new VhdException($"{image.Path}: cannot shrink to {size} bytes: the disk holds data at offset {nonZero}, past the new end; nothing was written");
            return;
        }
        long blockSize = m.Header!.BlockSize;
        for (long b = size / blockSize; b < m.Bat!.Count; b++)
        {
            if (!m.Bat.IsAllocated(b) || (b + 1) * blockSize <= size) continue;
            throw new VhdException(
                $"{image.Path}: cannot shrink to {size} bytes: block {b} (bytes {b * blockSize} to {(b + 1) * blockSize}) is allocated past the new end; nothing was written");
        }
    }
}
