using System.IO.Abstractions;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Maintenance;

namespace Storage.VhdActors;

/// <summary>
/// Opens, creates, snapshots, commits and deletes VHD images, each owned by one actor (DESIGN.md §7).
/// Paths are made full with <see cref="IFileSystem"/>'s rules; every error message names the image.
/// </summary>
/// <remarks>
/// Errors are the engine's exceptions, as the engine threw them (all <see cref="IOException"/>s):
/// <c>VhdFormatException</c> (a malformed image, naming the field), <c>VhdIOException</c> (the file
/// failed), <c>VhdImageInUseException</c> (another owner holds the image: another process, another
/// store, qemu), <c>VhdException</c> for the rest; the BCL's for a caller's mistake
/// (<see cref="ArgumentException"/>). Cancellation is one thing: a call whose token fires before it
/// completes throws an <see cref="OperationCanceledException"/> carrying that token, whatever stage it
/// had reached. No call waits for a timeout to learn of a failure.
/// </remarks>
public interface IDiskStore
{
    /// <summary>The file system the images live on.</summary>
    IFileSystem FileSystem { get; }

    /// <summary>
    /// Opens an existing image; a differencing image's parents open read-only and are shared. Opening an
    /// image this store has open already returns another handle on the same open image.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    /// <exception cref="IOException">No such image, a malformed one, a file that cannot be read, an image another owner holds, or a read-only file opened for writing (the engine's exceptions).</exception>
    Task<IDisk> OpenAsync(string path, FileAccess access = FileAccess.ReadWrite, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates a fixed or dynamic image and returns it open read-write. The virtual size is
    /// <see cref="VhdCreateOptions.Size"/> rounded up to the next size the specification's CHS geometry
    /// can express (as Virtual PC and qemu do), unless the options ask for the exact size (needed for
    /// Azure's fixed images); <see cref="IDisk.Length"/> is the size the image got.
    /// </summary>
    /// <exception cref="ArgumentException">A path or an option is invalid.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    /// <exception cref="IOException">The file exists already, or cannot be written (the engine's exceptions).</exception>
    Task<IDisk> CreateAsync(string path, VhdCreateOptions options, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes a snapshot: <paramref name="imagePath"/> becomes the frozen, read-only parent (flushed, its
    /// file marked read-only, its lock taken from exclusive to shared in place, so no other writer can
    /// take it at any moment) and the new differencing child <paramref name="childPath"/> over it takes
    /// the writes from now on: open the child to write. Handles on the image opened before the snapshot
    /// read on and say <see cref="IDisk.CanWrite"/> = false. The child stays open and owned by this store
    /// until a handle to it is opened and closed (or the store stops), so no other writer can take it
    /// first. <see cref="CommitAsync(string, bool, CancellationToken)"/> merges the child back.
    /// </summary>
    /// <exception cref="ArgumentException">A path is null or empty.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    /// <exception cref="VhdImageInUseException">The image is open for writing by another owner.</exception>
    /// <exception cref="IOException">The image cannot be frozen or the child created (the engine's exceptions).</exception>
    Task SnapshotAsync(string imagePath, string childPath, CancellationToken cancellationToken = default);

    /// <summary>
    /// Merges the differencing image <paramref name="childPath"/> into its parent; the child is
    /// deleted unless <paramref name="keepChild"/>. Returns the bytes copied.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="childPath"/> is null or empty.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    /// <exception cref="VhdException">Not a differencing image, or the parent has other children.</exception>
    /// <exception cref="IOException">The merge failed (the engine's exceptions; an interrupted commit completes when run again).</exception>
    Task<long> CommitAsync(string childPath, bool keepChild = false, CancellationToken cancellationToken = default);

    /// <summary>
    /// Merges the differencing image <paramref name="childPath"/> into its parent as
    /// <paramref name="options"/> say. Refused, naming them, when the parent has other children,
    /// unless <see cref="CommitOptions.Force"/> (then the parent gets a new unique id and they
    /// refuse to open). Returns the bytes copied.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="childPath"/> is null or empty.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    /// <exception cref="VhdException">Not a differencing image, or the parent has other children and the commit is not forced.</exception>
    /// <exception cref="IOException">The merge failed (the engine's exceptions).</exception>
    Task<long> CommitAsync(string childPath, CommitOptions options, CancellationToken cancellationToken = default);

    /// <summary>
    /// Compacts the dynamic or differencing image at <paramref name="path"/> in place
    /// (<see cref="VhdMaintenance.Compact"/>): blocks that read all zeros (or were discarded) are
    /// freed and the file is cut. As with <see cref="CommitAsync(string, bool, CancellationToken)"/>,
    /// an image open through handles of this store is not refused: the store flushes and closes it,
    /// compacts it, and the handles' next requests reopen it. A parent that children use is refused,
    /// naming them, unless <paramref name="force"/> (then they refuse to open).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    /// <exception cref="VhdImageInUseException">Another owner has the image open.</exception>
    /// <exception cref="VhdException">A fixed image, or a parent with children and <paramref name="force"/> is false.</exception>
    /// <exception cref="IOException">No such image, a malformed one, or the file cannot be read, written or cut (the engine's exceptions).</exception>
    Task<CompactResult> CompactAsync(string path, bool force = false, CancellationToken cancellationToken = default);

    /// <summary>
    /// Changes the virtual size of the image at <paramref name="path"/> in place
    /// (<see cref="VhdMaintenance.Resize"/>) and returns the new size (rounded as
    /// <see cref="CreateAsync"/> rounds it). A shrink needs <paramref name="allowShrink"/> and is
    /// refused over data. As with <see cref="CommitAsync(string, bool, CancellationToken)"/>, an image
    /// open through handles of this store is not refused: the store flushes and closes it, resizes it,
    /// and the handles' next requests reopen it, but their <see cref="IDisk.Length"/> stays what it
    /// was: open a new handle to see the new size.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is not positive.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    /// <exception cref="VhdImageInUseException">Another owner has the image open.</exception>
    /// <exception cref="VhdException">A shrink that is not allowed or would cut data, or a parent with children and <paramref name="force"/> is false.</exception>
    /// <exception cref="IOException">No such image, a malformed one, or the file cannot be read or written (the engine's exceptions).</exception>
    Task<long> ResizeAsync(string path, long size, bool allowShrink = false, bool force = false, CancellationToken cancellationToken = default);

    /// <summary>
    /// The image's size, type, chain and allocation (<see cref="DiskInfo"/>), from the open image when this
    /// store has it open (unflushed writes included), else from a read-only open that is closed again.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    /// <exception cref="VhdImageInUseException">Another owner is writing the image.</exception>
    /// <exception cref="IOException">No such image, a malformed one, or a file that cannot be read (the engine's exceptions).</exception>
    Task<DiskInfo> GetInfoAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>True when an image file exists at <paramref name="path"/> (or this store has it open).</summary>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    Task<bool> ExistsAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes the image at <paramref name="path"/>: refused while a handle of this store, or another
    /// owner, has it open, and refused, naming them, when differencing images in its folder use it as
    /// their parent (commit or delete them first). A snapshot's frozen parent with no children left
    /// is deleted too.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    /// <exception cref="VhdImageInUseException">The image is open (through this store or by another owner).</exception>
    /// <exception cref="VhdException">Other images use it as their parent.</exception>
    /// <exception cref="IOException">No such image, or it cannot be deleted (the engine's exceptions).</exception>
    Task DeleteAsync(string path, CancellationToken cancellationToken = default);
}
