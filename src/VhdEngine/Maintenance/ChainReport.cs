namespace Storage.VhdEngine.Maintenance;

/// <summary>The trees of images under a folder (vhd-util scan): every image, parents before their children.</summary>
/// <param name="Folder">The folder scanned (full path).</param>
/// <param name="Images">Every image found, roots first, each tree depth-first; images with a problem included.</param>
public sealed record ChainReport(string Folder, IReadOnlyList<ChainImage> Images)
{
    /// <summary>The images with a problem (broken links, id mismatches, files that do not open).</summary>
    public IEnumerable<ChainImage> Problems => Images.Where(i => i.Problem is not null);
}
