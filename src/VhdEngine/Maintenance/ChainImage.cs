using Storage.VhdEngine.Format;

using Storage.VhdEngine.Disks;

namespace Storage.VhdEngine.Maintenance;

/// <summary>One image a chain scan found.</summary>
/// <param name="Path">Full path.</param>
/// <param name="Type">Fixed, dynamic or differencing; null when the file does not open as an image (see <paramref name="Problem"/>).</param>
/// <param name="VirtualSize">Virtual size in bytes.</param>
/// <param name="FileSize">Length of the file.</param>
/// <param name="AllocatedBytes">Bytes of blocks the file holds (a fixed image: its virtual size).</param>
/// <param name="UniqueId">The footer's unique id.</param>
/// <param name="ParentPath">A differencing image's parent as its locators resolve, or null.</param>
/// <param name="Children">Full paths of the images under the folder whose parent this is, sorted.</param>
/// <param name="Problem">A broken link (parent not found), a parent-id mismatch, or why the file does not open; null when sound.</param>
public sealed record ChainImage(
    string Path, VhdDiskType? Type, long VirtualSize, long FileSize, long AllocatedBytes, Guid UniqueId,
    string? ParentPath, IReadOnlyList<string> Children, string? Problem);
