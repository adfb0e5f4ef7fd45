using Storage.VhdEngine;
using Storage.VhdEngine.Disks;

namespace Storage.VhdActors;

/// <summary>
/// Turns <see cref="VirtualDisk.MayContainData"/> into runs: the longest stretch from an offset in
/// which every block of the image answers the same. The image's own block size is the grain, so a
/// differencing child over a parent with smaller blocks reports data for a whole child block when
/// any part of it may hold data (never a hole that is not one).
/// </summary>
internal static class AllocationRuns
{
    /// <summary>Blocks looked at per query (128 GiB of 2 MiB blocks), so one query holds the disk's lock briefly.</summary>
    private const int MaxBlocksPerQuery = 65536;

    /// <summary>The run at <paramref name="offset"/>, at most <paramref name="length"/> bytes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is empty or not inside the disk.</exception>
    public static DiskAllocation Next(VirtualDisk disk, long offset, long length)
    {
        Check(disk.Path, offset, length, disk.Length);
        long grain = disk.BlockSize;
        if (grain == 0) return new DiskAllocation(length, MayContainData: true); // fixed: every byte is stored
        long end = offset + length;
        long pos = offset;
        bool? state = null;
        for (int blocks = 0; pos < end && blocks < MaxBlocksPerQuery; blocks++)
        {
            long n = Math.Min(grain - pos % grain, end - pos);
            bool data = disk.MayContainData(pos, n);
            if (state is { } s && s != data) break;
            state = data;
            pos += n;
        }
        return new DiskAllocation(pos - offset, state!.Value);
    }

    /// <summary>Refuses an empty range or one outside a disk of <paramref name="diskLength"/> bytes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is empty or not inside the disk.</exception>
    public static void Check(string path, long offset, long length, long diskLength)
    {
        if (offset < 0 || length <= 0 || offset > diskLength || length > diskLength - offset)
            throw new ArgumentOutOfRangeException(offset < 0 || offset > diskLength ? nameof(offset) : nameof(length), $"{path}: allocation query {offset}+{length} is empty or outside the disk (virtual size {diskLength})");
    }
}
