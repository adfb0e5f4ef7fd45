using System.IO.Abstractions;
using Storage.VhdEngine.Disks;

namespace Storage.VhdEngine.Maintenance;

/// <summary>
/// The rule of DESIGN.md §10 for an operation that rewrites an image other images may read as their
/// parent (compact, resize): its children (found by <see cref="ChainScanner.FindChildren"/> in its
/// own folder, and open in this process) make it refuse, naming them, before anything is written;
/// forced, the image first gets a new unique id, so they refuse to open instead of reading a
/// rewritten parent.
/// </summary>
internal static class ParentGuard
{
    /// <summary>Refuses when <paramref name="image"/> has children and not <paramref name="force"/>; forced, switches its id (durably) and returns the children it cut off.</summary>
    /// <exception cref="VhdException">The image has children and the operation is not forced.</exception>
    public static IReadOnlyList<string> Check(IFileSystem fs, CommitFile image, bool force, string operation, VhdOpenOptions options)
    {
        string folder = fs.Path.GetDirectoryName(image.Path) ?? "/";
        var children = ChainScanner.FindChildren(fs, image.Path, image.Metadata.Footer.UniqueId, [folder]);
        if (children.Count == 0) return children;
        if (!force)
            throw new VhdException(
                $"{image.Path}: not {operation}: it is the parent of {string.Join(", ", children.Select(c => $"'{c}'"))}, "
                + "which read through it; nothing was written. Run it with --force to go on: "
                + $"'{image.Path}' then gets a new unique id, and those images refuse to open instead of reading a rewritten parent");
        image.WriteFooter((image.Metadata.Footer with { UniqueId = Guid.NewGuid() }).WithChecksum());
        image.Reload(options);
        return children;
    }
}
