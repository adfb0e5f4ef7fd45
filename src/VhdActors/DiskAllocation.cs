namespace Storage.VhdActors;

/// <summary>
/// One run of a disk's allocation, as <see cref="IDisk.GetAllocationAsync"/> reports it: the bytes
/// from the queried offset that are either all a hole or all possibly data.
/// </summary>
/// <param name="Length">Bytes in the run, at least 1 and at most the queried length.</param>
/// <param name="MayContainData">
/// False for a hole: no file of the image's chain stores these bytes, so they read as zeros and
/// writing them allocates. True where data may be stored (allocated blocks, a fixed image, a parent
/// that holds data there); such bytes may still happen to be zeros.
/// </param>
public readonly record struct DiskAllocation(long Length, bool MayContainData);
