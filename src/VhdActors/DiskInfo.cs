using Storage.VhdEngine.Disks;

namespace Storage.VhdActors;

/// <summary>
/// What <see cref="IDiskStore.GetInfoAsync"/> reports of an image (read from the open image, so it
/// includes writes not yet flushed).
/// </summary>
/// <param name="Path">Full path of the image file.</param>
/// <param name="Length">Virtual size in bytes.</param>
/// <param name="Type">Fixed, dynamic or differencing.</param>
/// <param name="Chain">Paths of the image and its parents, leaf first.</param>
/// <param name="BlockSize">Bytes per block of a dynamic or differencing image; 0 for a fixed one.</param>
/// <param name="AllocatedBytes">Bytes of the virtual disk this file stores: allocated blocks times the block size (the whole disk for a fixed image; parents not counted).</param>
/// <param name="FileLength">Size of the image file in bytes.</param>
public sealed record DiskInfo(string Path, long Length, VhdDiskType Type, IReadOnlyList<string> Chain, int BlockSize, long AllocatedBytes, long FileLength);
