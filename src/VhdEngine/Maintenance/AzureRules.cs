using System.IO.Abstractions;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;

namespace Storage.VhdEngine.Maintenance;

/// <summary>
/// What Azure refuses in an uploaded VHD (a page blob): anything but a fixed image, a virtual size
/// that is not a whole number of MiB, a file that is not exactly the data plus its footer, and a
/// size outside 20 MiB .. 32 TiB.
/// </summary>
internal static class AzureRules
{
    public const long MiB = 1024 * 1024;
    public const long MinSize = 20 * MiB;
    public const long MaxSize = 32L * 1024 * 1024 * MiB;

    /// <summary>One line per rule the image breaks (empty when Azure accepts it).</summary>
    public static List<string> Check(IFileSystem fs, string path, VhdOpenOptions options)
    {
        using var imageLock = ImageLock.Acquire(fs, fs.Path.GetFullPath(path), options.ForceShare ? ImageLockMode.ForceShare : ImageLockMode.Shared);
        var m = ImageMetadata.Load(imageLock.File, options.AcceptChecksumMismatch);
        var problems = new List<string>();
        if (m.Footer.DiskType != VhdDiskType.Fixed)
            problems.Add($"azure: a {m.Footer.DiskType.ToString().ToLowerInvariant()} image; Azure accepts fixed images only (vhd convert -O fixed)");
        if (m.VirtualSize % MiB != 0)
            problems.Add($"azure: virtual size {m.VirtualSize} is not a whole number of MiB");
        if (m.VirtualSize < MinSize || m.VirtualSize > MaxSize)
            problems.Add($"azure: virtual size {m.VirtualSize} is outside {MinSize} .. {MaxSize} bytes (20 MiB .. 32 TiB)");
        if (m.Footer.DiskType == VhdDiskType.Fixed && m.FileLength != m.VirtualSize + VhdConstants.FooterSize)
            problems.Add($"azure: the file is {m.FileLength} bytes, not the virtual size plus a 512-byte footer ({m.VirtualSize + VhdConstants.FooterSize})");
        return problems;
    }
}
