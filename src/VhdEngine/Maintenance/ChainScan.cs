using System.IO.Abstractions;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;

namespace Storage.VhdEngine.Maintenance;

/// <summary>
/// Builds a <see cref="ChainReport"/>: each *.vhd / *.avhd file under the folder is peeked at
/// (metadata only, sharing everything: nothing is locked against its owner), each differencing
/// image's parent resolved through its locators and its id compared with the parent's.
/// </summary>
internal static class ChainScan
{
    public static ChainReport Run(IFileSystem fs, string folder, VhdOpenOptions options)
    {
        string root = fs.Path.GetFullPath(folder);
        if (!fs.Directory.Exists(root)) throw new VhdException($"{root}: no such folder");
        var files = fs.Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".vhd", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".avhd", StringComparison.OrdinalIgnoreCase))
            .Select(f => fs.Path.GetFullPath(f)).Order(StringComparer.Ordinal).ToList();
        var found = files.Select(f => Peek(fs, f, options)).ToDictionary(p => p.Image.Path, StringComparer.Ordinal);
        var checkedImages = found.Values.Select(p => CheckParent(fs, p, found, options)).ToDictionary(i => i.Path, StringComparer.Ordinal);
        var children = checkedImages.Values.Where(i => i.ParentPath is not null && checkedImages.ContainsKey(i.ParentPath))
            .GroupBy(i => i.ParentPath!).ToDictionary(g => g.Key, g => (IReadOnlyList<string>)[.. g.Select(i => i.Path).Order(StringComparer.Ordinal)]);
        var ordered = new List<ChainImage>();
        void Visit(ChainImage image)
        {
            ordered.Add(image with { Children = children.GetValueOrDefault(image.Path, []) });
            foreach (string c in children.GetValueOrDefault(image.Path, [])) Visit(checkedImages[c]);
        }
        foreach (var image in checkedImages.Values.Where(i => i.ParentPath is null || !checkedImages.ContainsKey(i.ParentPath)))
            Visit(image);
        return new ChainReport(root, ordered);
    }

    /// <summary>
    /// The image's own facts, and its parent's path as resolved (or the problem resolving it); with
    /// the parent id its header records (a differencing image's; empty for others).
    /// </summary>
    private static (ChainImage Image, Guid ParentId) Peek(IFileSystem fs, string path, VhdOpenOptions options)
    {
        long fileSize = fs.FileInfo.New(path).Length;
        try
        {
            using var imageLock = ImageLock.Acquire(fs, path, ImageLockMode.ForceShare);
            var m = ImageMetadata.Load(imageLock.File, options.AcceptChecksumMismatch);
            var type = m.Footer.DiskType;
            long allocated = type == VhdDiskType.Fixed ? m.VirtualSize : m.Bat!.AllocatedCount * (long)m.Header!.BlockSize;
            var image = new ChainImage(path, type, m.VirtualSize, fileSize, allocated, m.Footer.UniqueId, null, [], null);
            if (type != VhdDiskType.Differencing) return (image, Guid.Empty);
            Guid parentId = m.Header!.ParentUniqueId;
            try
            {
                return (image with { ParentPath = ParentLocatorResolver.Resolve(fs, path, m.Header, imageLock.File, options) }, parentId);
            }
            catch (VhdFormatException e)
            {
                return (image with { Problem = $"broken link: {e.Message}" }, parentId);
            }
        }
        catch (VhdFormatException e)
        {
            return (new ChainImage(path, null, 0, fileSize, 0, Guid.Empty, null, [], $"does not open: {e.Message}"), Guid.Empty);
        }
    }

    /// <summary>
    /// A differencing image whose parent's unique id is not the one its header records (as
    /// <see cref="Peek"/> read it, through the footer in force) gets that problem.
    /// </summary>
    private static ChainImage CheckParent(IFileSystem fs, (ChainImage Image, Guid ParentId) peeked, Dictionary<string, (ChainImage Image, Guid ParentId)> found, VhdOpenOptions options)
    {
        var (image, expected) = peeked;
        if (image.ParentPath is not { } parentPath || image.Problem is not null) return image;
        Guid actual = (found.TryGetValue(parentPath, out var parent) ? parent : Peek(fs, parentPath, options)).Image.UniqueId;
        return expected == actual ? image
            : image with { Problem = $"parent id mismatch: expects {expected:N}, '{parentPath}' has {actual:N} (vhd set-parent relinks a moved parent)" };
    }
}
