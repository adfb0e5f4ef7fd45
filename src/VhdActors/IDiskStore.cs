using Storage.VhdEngine;
using System.IO.Abstractions;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Maintenance;

namespace Storage.VhdActors;

/// <summary>
/// Opens, creates, snapshots and commits VHD images, each owned by one actor (DESIGN.md §7).
/// Every failure surfaces as a <see cref="VhdException"/> (or <see cref="OperationCanceledException"/>
/// when the caller's token fires); no call waits for a timeout to learn of a failure.
/// </summary>
public interface IDiskStore
{
    /// <summary>The file system the images live on.</summary>
    IFileSystem FileSystem { get; }

    /// <summary>Opens an existing image; a differencing image's parents open read-only and are shared.</summary>
    Task<IDisk> OpenAsync(string path, FileAccess access = FileAccess.ReadWrite, CancellationToken cancellationToken = default);

    /// <summary>Creates a fixed or dynamic image and returns it open read-write.</summary>
    Task<IDisk> CreateAsync(string path, VhdCreateOptions options, CancellationToken cancellationToken = default);

    /// <summary>
    /// Freezes <paramref name="imagePath"/> (flushed, marked read-only, its lock taken from exclusive
    /// to shared in place; open handles to it read on but can no longer write) and creates the
    /// differencing child <paramref name="childPath"/> over it, which takes the writes from now on.
    /// The child stays open and owned by this store until a handle to it is opened and closed (or
    /// the store stops), so no other writer can take it first.
    /// </summary>
    /// <exception cref="VhdImageInUseException">The image is open for writing by another owner.</exception>
    Task SnapshotAsync(string imagePath, string childPath, CancellationToken cancellationToken = default);

    /// <summary>
    /// Merges the differencing image <paramref name="childPath"/> into its parent; the child is
    /// deleted unless <paramref name="keepChild"/>. Returns the bytes copied.
    /// </summary>
    Task<long> CommitAsync(string childPath, bool keepChild = false, CancellationToken cancellationToken = default);

    /// <summary>
    /// Merges the differencing image <paramref name="childPath"/> into its parent as
    /// <paramref name="options"/> say. Refused, naming them, when the parent has other children,
    /// unless <see cref="CommitOptions.Force"/> (then the parent gets a new unique id and they
    /// refuse to open). Returns the bytes copied.
    /// </summary>
    Task<long> CommitAsync(string childPath, CommitOptions options, CancellationToken cancellationToken = default);
}
