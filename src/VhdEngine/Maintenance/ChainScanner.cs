using System.IO.Abstractions;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;

namespace Storage.VhdEngine.Maintenance;

/// <summary>
/// Finds the differencing images that depend on a parent (DESIGN.md §10): files in the given
/// folders whose dynamic header names the parent's unique id, plus the images open in this
/// process over the parent's path. Files are only peeked at (first footer and header, opened
/// sharing everything): nothing is locked; files that are not images, or that this user may not
/// read, are skipped; an I/O error reading one is a <see cref="VhdIOException"/>, since a child
/// that cannot be read cannot be ruled out.
/// </summary>
internal static class ChainScanner
{
    private const int HeaderEnd = VhdConstants.FooterSize + VhdConstants.DynamicHeaderSize;

    /// <summary>
    /// Full paths of the children of <paramref name="parentPath"/> (whose unique id is
    /// <paramref name="parentId"/>) in <paramref name="folders"/> and open in this process, sorted.
    /// </summary>
    /// <exception cref="VhdIOException">A file in the folders cannot be read.</exception>
    public static IReadOnlyList<string> FindChildren(IFileSystem fs, string parentPath, Guid parentId, IEnumerable<string> folders)
    {
        ArgumentNullException.ThrowIfNull(fs);
        ArgumentNullException.ThrowIfNull(folders);
        string parent = fs.Path.GetFullPath(parentPath);
        var found = new SortedSet<string>(OpenChildren.Of(fs, parent), StringComparer.Ordinal);
        foreach (string folder in folders.Select(f => fs.Path.GetFullPath(f)).Distinct(StringComparer.Ordinal))
        {
            foreach (string file in Files(fs, folder))
            {
                if (file == parent || file.EndsWith(".creating", StringComparison.Ordinal)) continue;
                if (ParentIdOf(fs, file) == parentId) found.Add(file);
            }
        }
        return [.. found];
    }

    private static IEnumerable<string> Files(IFileSystem fs, string folder)
    {
        try
        {
            return fs.Directory.Exists(folder) ? fs.Directory.GetFiles(folder).Select(f => fs.Path.GetFullPath(f)) : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>
    /// The trees of images (*.vhd, *.avhd) under <paramref name="folder"/> and its subfolders
    /// (vhd-util scan): parents, children, sizes, allocated space, broken links and id mismatches.
    /// Only metadata is read, sharing every file with its owner; nothing is written.
    /// </summary>
    /// <exception cref="VhdException">The folder does not exist.</exception>
    /// <exception cref="VhdIOException">A file cannot be read.</exception>
    public static ChainReport ScanChains(IFileSystem fs, string folder, VhdOpenOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(fs);
        ArgumentNullException.ThrowIfNull(folder);
        return ChainScan.Run(fs, folder, options ?? new VhdOpenOptions());
    }

    /// <summary>
    /// The parent unique id a differencing image's header names, or null for anything else. The
    /// footer copy at offset 0 is tried first, then the end footer (the one in force): a damaged copy
    /// must not hide a child from the sibling search.
    /// </summary>
    private static Guid? ParentIdOf(IFileSystem fs, string path)
    {
        try
        {
            if (fs.FileInfo.New(path).Length < HeaderEnd) return null;
            using var stream = fs.FileStream.New(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return ParentIdAt(stream, 0) ?? ParentIdAt(stream, stream.Length - VhdConstants.FooterSize);
        }
        catch (VhdException)
        {
            return null; // not an image
        }
        catch (UnauthorizedAccessException)
        {
            return null; // not ours to read, nor to depend on a parent we write
        }
        catch (IOException e)
        {
            // A child we cannot read is not a child we may ignore: the caller must not go on.
            throw new VhdIOException($"{path}: cannot be read to tell whether it depends on the parent: {e.Message}", e);
        }
    }

    /// <summary>The header's parent id when the footer at <paramref name="footerAt"/> is a differencing one whose header reads; otherwise null.</summary>
    private static Guid? ParentIdAt(Stream stream, long footerAt)
    {
        Span<byte> sector = stackalloc byte[VhdConstants.FooterSize];
        stream.Position = footerAt;
        if (stream.ReadAtLeast(sector, sector.Length, throwOnEndOfStream: false) < sector.Length) return null;
        var footer = VhdFooter.Read(sector);
        if (!footer.HasValidCookie || footer.DiskType != VhdDiskType.Differencing || footer.DataOffset > (ulong)(stream.Length - VhdConstants.DynamicHeaderSize))
            return null;
        var bytes = new byte[VhdConstants.DynamicHeaderSize];
        stream.Position = (long)footer.DataOffset;
        if (stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false) < bytes.Length) return null;
        var header = DynamicHeader.Read(bytes);
        return header.HasValidCookie ? header.ParentUniqueId : null;
    }
}
