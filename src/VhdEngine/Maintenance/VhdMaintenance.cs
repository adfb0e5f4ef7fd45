using System.IO.Abstractions;
using Storage.VhdEngine.Disks;

namespace Storage.VhdEngine.Maintenance;

/// <summary>
/// Operations on whole image files: check, repair, convert, snapshot and commit (DESIGN.md §5, §10,
/// §13). Each opens the files it needs itself, under the same locks an open takes (DESIGN.md §10),
/// and closes them before it returns. Every exception names the image it is about; a missing image
/// is a <see cref="FileNotFoundException"/>, and a malformed one a <see cref="VhdFormatException"/>
/// (except for <see cref="Check"/>, which reports it).
/// </summary>
public static class VhdMaintenance
{
    /// <summary>
    /// Checks an image (and its parents) without changing it: footer and copy agreement, checksums,
    /// header fields, BAT entries, bitmaps, locators, the parent link. Corruption is reported as
    /// errors, harmless findings (leaked space, a stale end footer) as warnings; a malformed image is
    /// a report with errors, not an exception.
    /// </summary>
    /// <param name="fs">The file system the image lives on.</param>
    /// <param name="path">The image.</param>
    /// <param name="options">How to open it (<see cref="VhdOpenOptions.AcceptChecksumMismatch"/>, <see cref="VhdOpenOptions.ForceShare"/>...); null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="fs"/> or <paramref name="path"/> is null.</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="VhdImageInUseException">A writer holds the image (check again later, or use ForceShare).</exception>
    public static CheckReport Check(IFileSystem fs, string path, VhdOpenOptions? options = null) => Checker.Check(fs, path, options);

    /// <summary>
    /// Repairs what <see cref="Check"/> reports as warnings and can be fixed without touching data a
    /// BAT entry references: puts the end footer and the footer copy back, and truncates leaked
    /// space at the tail. Each step is crash-safe (the file always holds a valid footer). Returns
    /// the report of a check run after the repair.
    /// </summary>
    /// <param name="fs">The file system the image lives on.</param>
    /// <param name="path">The image; it is opened for writing (locked exclusively).</param>
    /// <param name="options">How to open it for the check that follows; null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="fs"/> or <paramref name="path"/> is null.</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="VhdFormatException">The image is malformed in a way repair cannot fix.</exception>
    /// <exception cref="VhdImageInUseException">Another owner holds the image.</exception>
    /// <exception cref="VhdIOException">The file cannot be read or written.</exception>
    public static CheckReport Repair(IFileSystem fs, string path, VhdOpenOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(fs);
        ArgumentNullException.ThrowIfNull(path);
        return Checker.Repair(fs, path, options);
    }

    /// <summary>
    /// Converts <paramref name="source"/> (raw or any VHD; a differencing chain is flattened) into a
    /// new file <paramref name="target"/>: raw, fixed or dynamic, as <see cref="ConvertOptions.To"/>
    /// says. Streaming, in bounded memory; ranges that hold nothing are skipped, so raw targets are
    /// sparse and dynamic targets leave all-zero blocks unallocated. A raw source's virtual size is
    /// its length, rounded up to the CHS geometry unless <see cref="ConvertOptions.ExactSize"/>; a
    /// VHD source keeps its virtual size. The target must not exist; on failure nothing is left there.
    /// </summary>
    /// <param name="fs">The file system both files live on.</param>
    /// <param name="source">The file to read.</param>
    /// <param name="target">The new file.</param>
    /// <param name="options">Formats and target options; null converts to a dynamic VHD, probing the source.</param>
    /// <param name="progress">Told the bytes of the source processed so far.</param>
    /// <param name="cancellationToken">Stops the conversion (the target is deleted).</param>
    /// <exception cref="ArgumentNullException">An argument other than the optional ones is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A target option is out of range (block size, size limit).</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="source"/>.</exception>
    /// <exception cref="VhdFormatException">The source is a malformed VHD.</exception>
    /// <exception cref="VhdImageInUseException">A writer holds the source.</exception>
    /// <exception cref="VhdException">The target exists, or the source is empty.</exception>
    /// <exception cref="VhdIOException">A file cannot be read or written.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    public static ConvertResult Convert(IFileSystem fs, string source, string target, ConvertOptions? options = null, IProgress<long>? progress = null, CancellationToken cancellationToken = default) =>
        Converter.Convert(fs, source, target, options ?? new ConvertOptions(), progress, cancellationToken);

    /// <summary>
    /// What <see cref="Convert"/> would read <paramref name="path"/> as when not told: <see cref="DiskImageFormat.Vhd"/>
    /// if it opens as a VHD, <see cref="DiskImageFormat.Raw"/> if it does not and has no VHD footer cookie.
    /// </summary>
    /// <param name="fs">The file system the file lives on.</param>
    /// <param name="path">The file.</param>
    /// <param name="options">How to open it as a VHD; null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="fs"/> or <paramref name="path"/> is null.</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="VhdFormatException">The file has a VHD footer cookie but does not open: a damaged VHD.</exception>
    /// <exception cref="VhdImageInUseException">A writer holds the image.</exception>
    public static DiskImageFormat Probe(IFileSystem fs, string path, VhdOpenOptions? options = null) => Converter.Probe(fs, path, options);

    /// <summary>
    /// Freezes <paramref name="imagePath"/> (marks the file read-only) and creates
    /// <paramref name="childPath"/>, a differencing image over it that takes the writes from now on,
    /// and returns the child open read-write. The image is held shared throughout, so the snapshot
    /// is refused while anyone writes it, and no writer can take it in between.
    /// </summary>
    /// <param name="fs">The file system both images live on.</param>
    /// <param name="imagePath">The image to freeze; it becomes the child's parent.</param>
    /// <param name="childPath">The new differencing image; must not exist.</param>
    /// <param name="options">How to open the image and the child (ForceShare is ignored); null for the defaults.</param>
    /// <exception cref="ArgumentNullException">An argument other than <paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="childPath"/> is <paramref name="imagePath"/>.</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="imagePath"/>.</exception>
    /// <exception cref="VhdFormatException">The image (or one of its parents) is malformed.</exception>
    /// <exception cref="VhdImageInUseException">The image is open for writing elsewhere.</exception>
    /// <exception cref="VhdException">The child exists.</exception>
    /// <exception cref="VhdIOException">A file cannot be created, read or marked read-only.</exception>
    public static VirtualDisk Snapshot(IFileSystem fs, string imagePath, string childPath, VhdOpenOptions? options = null) =>
        Committer.Snapshot(fs, imagePath, childPath, options);

    /// <summary>
    /// Merges the differencing image <paramref name="childPath"/> into its parent (DESIGN.md §5, §10),
    /// crash-safe: the parent is only written, and the child removed last, so an interrupted commit
    /// can simply run again. The parent's other children (differencing images in the parent's and
    /// the child's folders whose parent id is the parent's, and images open in this process over it)
    /// make it refuse, naming them, before anything is written, unless <see cref="CommitOptions.Force"/>:
    /// then the parent gets a new unique id first, so they refuse to open instead of reading changed
    /// data. Unless <see cref="CommitOptions.KeepChild"/>, the child is deleted and the parent becomes
    /// writable again. Returns the number of bytes copied.
    /// </summary>
    /// <param name="fs">The file system both images live on.</param>
    /// <param name="childPath">The differencing image to merge.</param>
    /// <param name="options">Keep the child, force; null for neither.</param>
    /// <param name="openOptions">How to open the images and resolve the parent; null for the defaults.</param>
    /// <param name="progress">Told the virtual-disk offset reached (the child's virtual size is 100%).</param>
    /// <exception cref="ArgumentNullException"><paramref name="fs"/> or <paramref name="childPath"/> is null.</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="childPath"/>.</exception>
    /// <exception cref="VhdFormatException">The child or its parent is malformed, or the child does not match its parent.</exception>
    /// <exception cref="VhdImageInUseException">The child is being written, or the parent is open elsewhere.</exception>
    /// <exception cref="VhdException">The child is not a differencing image, is larger than its parent, or the parent has other children and the commit is not forced.</exception>
    /// <exception cref="VhdIOException">A file cannot be read, written or deleted.</exception>
    public static long Commit(IFileSystem fs, string childPath, CommitOptions? options = null, VhdOpenOptions? openOptions = null, IProgress<long>? progress = null) =>
        Committer.Commit(fs, childPath, options ?? new CommitOptions(), openOptions, progress);

    /// <summary>
    /// Deletes the image at <paramref name="path"/> once it is known to be an image that nobody else
    /// holds and that no differencing image uses as its parent (DESIGN.md §10): it must open (a
    /// frozen parent for reading, others for writing, so another owner's lock refuses it), and no
    /// differencing image in its folder, or open in this process, may name it as parent. A
    /// childless frozen parent loses its read-only attribute and is deleted.
    /// </summary>
    /// <param name="fs">The file system the image lives on.</param>
    /// <param name="path">The image to delete.</param>
    /// <param name="options">How to open it (ForceShare is ignored); null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="fs"/> or <paramref name="path"/> is null.</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="VhdFormatException">The file is not a VHD image.</exception>
    /// <exception cref="VhdImageInUseException">The image is open elsewhere.</exception>
    /// <exception cref="VhdException">A differencing image uses it as its parent.</exception>
    /// <exception cref="VhdIOException">The file cannot be read or deleted.</exception>
    public static void Delete(IFileSystem fs, string path, VhdOpenOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(fs);
        ArgumentNullException.ThrowIfNull(path);
        ImageDeletion.Delete(fs, fs.Path.GetFullPath(path), options);
    }
    /// <summary>
    /// Compacts a dynamic or differencing image in place (DESIGN.md §13): blocks that read all zeros
    /// (or, in a differencing image, hold no sector of their own) are freed, the blocks above the
    /// holes move down and the file is cut, each step fsynced so an interrupted run leaves an image
    /// that opens and reads the same, and running it again finishes it. A parent with children is
    /// refused, naming them, unless <paramref name="force"/> (then it gets a new unique id first).
    /// </summary>
    /// <param name="fs">The file system the image lives on.</param>
    /// <param name="path">The image to compact.</param>
    /// <param name="force">Compact a parent that children use (they then refuse to open).</param>
    /// <param name="options">How to open the image; null for the defaults.</param>
    /// <param name="progress">Told the bytes examined so far.</param>
    /// <exception cref="ArgumentNullException"><paramref name="fs"/> or <paramref name="path"/> is null.</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="VhdFormatException">The image is malformed.</exception>
    /// <exception cref="VhdImageInUseException">The image is open elsewhere.</exception>
    /// <exception cref="VhdException">The image is fixed, or a parent with children and <paramref name="force"/> is false.</exception>
    /// <exception cref="VhdIOException">The file cannot be read, written or cut.</exception>
    public static CompactResult Compact(IFileSystem fs, string path, bool force = false, VhdOpenOptions? options = null, IProgress<long>? progress = null) =>
        Compactor.Compact(fs, path, new CompactOptions { Force = force }, options, progress);

    /// <summary>
    /// Changes an image's virtual size in place without rewriting its data (the table grows in place
    /// or moves past the end; header and footers follow, each step fsynced). Sizes round as
    /// <see cref="VirtualDisk.Create"/> rounds them; returns the new virtual size. A shrink needs
    /// <see cref="ResizeOptions.AllowShrink"/> and is refused over data.
    /// </summary>
    /// <param name="fs">The file system the image lives on.</param>
    /// <param name="path">The image to resize.</param>
    /// <param name="resize">The new size and what is allowed.</param>
    /// <param name="options">How to open the image; null for the defaults.</param>
    /// <exception cref="ArgumentNullException">An argument other than <paramref name="options"/> is null.</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="VhdFormatException">The image is malformed.</exception>
    /// <exception cref="VhdImageInUseException">The image is open elsewhere.</exception>
    /// <exception cref="VhdException">A shrink over data or not allowed, or a parent with children without force.</exception>
    /// <exception cref="VhdIOException">The file cannot be read or written.</exception>
    public static long Resize(IFileSystem fs, string path, ResizeOptions resize, VhdOpenOptions? options = null) =>
        Resizer.Resize(fs, path, resize, options);

    /// <summary>
    /// Points the differencing image <paramref name="childPath"/> at <paramref name="parentPath"/> (a
    /// moved or copied parent): a new header and locators are written past the end and fsynced before
    /// the footers point at them. The parent's unique id must match the child's record of it unless
    /// <paramref name="ignoreIdMismatch"/>.
    /// </summary>
    /// <param name="fs">The file system both images live on.</param>
    /// <param name="childPath">The differencing image to relink.</param>
    /// <param name="parentPath">Its parent's new location.</param>
    /// <param name="ignoreIdMismatch">Relink even when the parent's unique id differs.</param>
    /// <param name="options">How to open the images; null for the defaults.</param>
    /// <exception cref="ArgumentNullException">An argument other than <paramref name="options"/> is null.</exception>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="VhdFormatException">An image is malformed.</exception>
    /// <exception cref="VhdImageInUseException">The child is open elsewhere.</exception>
    /// <exception cref="VhdException">The child is not differencing, or the ids differ.</exception>
    /// <exception cref="VhdIOException">A file cannot be read or written.</exception>
    public static void SetParent(IFileSystem fs, string childPath, string parentPath, bool ignoreIdMismatch = false, VhdOpenOptions? options = null) =>
        Reparenter.SetParent(fs, childPath, parentPath, ignoreIdMismatch, options);

    /// <summary>
    /// Copies into the differencing image <paramref name="childPath"/> everything it reads from its
    /// parents, then makes it a dynamic image that needs none; returns the bytes pulled. A rerun
    /// finishes an interrupted pull.
    /// </summary>
    /// <param name="fs">The file system the images live on.</param>
    /// <param name="childPath">The differencing image.</param>
    /// <param name="options">How to open the images; null for the defaults.</param>
    /// <param name="progress">Told the virtual-disk offset reached.</param>
    /// <exception cref="ArgumentNullException"><paramref name="fs"/> or <paramref name="childPath"/> is null.</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="childPath"/>.</exception>
    /// <exception cref="VhdFormatException">An image of the chain is malformed.</exception>
    /// <exception cref="VhdImageInUseException">The child is open elsewhere.</exception>
    /// <exception cref="VhdException">The image is not a differencing one.</exception>
    /// <exception cref="VhdIOException">A file cannot be read or written.</exception>
    public static long Pull(IFileSystem fs, string childPath, VhdOpenOptions? options = null, IProgress<long>? progress = null) =>
        Puller.Pull(fs, childPath, options, progress);

    /// <summary>The trees of images under <paramref name="folder"/>: parents, children, sizes and what is wrong with each.</summary>
    /// <param name="fs">The file system.</param>
    /// <param name="folder">The folder to scan (not recursively).</param>
    /// <param name="options">How to peek at the images; null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="fs"/> or <paramref name="folder"/> is null.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public static ChainReport ScanChains(IFileSystem fs, string folder, VhdOpenOptions? options = null) =>
        ChainScanner.ScanChains(fs, folder, options);

    /// <summary>What keeps Azure from accepting the image (fixed only, size a whole number of MiB, limits); empty when nothing.</summary>
    /// <param name="fs">The file system.</param>
    /// <param name="path">The image.</param>
    /// <param name="options">How to open it; null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="fs"/> or <paramref name="path"/> is null.</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="VhdFormatException">The image is malformed.</exception>
    /// <exception cref="VhdImageInUseException">A writer holds the image (unless <see cref="VhdOpenOptions.ForceShare"/>).</exception>
    public static IReadOnlyList<string> AzureProblems(IFileSystem fs, string path, VhdOpenOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(fs);
        ArgumentNullException.ThrowIfNull(path);
        return AzureRules.Check(fs, path, options ?? new VhdOpenOptions());
    }
}
