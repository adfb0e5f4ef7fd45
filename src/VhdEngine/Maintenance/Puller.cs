using System.Buffers;
using System.IO.Abstractions;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;

namespace Storage.VhdEngine.Maintenance;

/// <summary>
/// Pull (what qemu calls stream; DESIGN.md §5): copies what a differencing image reads through its
/// parents into the image itself, in place, so that it stands alone, then makes it a dynamic image.
/// Crash-safe: the copy is ordinary writes of what each sector reads already, under the allocation
/// protocol and one durable flush, so the image reads the same at every point; only then does the
/// footer's disk type change, the copy at offset 0 first (one sector, the copy in force while the
/// two differ), then the header's parent id is cleared (its first sector); a rerun finishes that.
/// </summary>
internal static class Puller
{
    /// <summary>
    /// Pulls the parents' data into <paramref name="childPath"/> (locked exclusively, its parents
    /// shared); returns the bytes copied. <paramref name="progress"/> is told the virtual offset reached.
    /// </summary>
    /// <exception cref="VhdException">The image is not a differencing image.</exception>
    /// <exception cref="VhdImageInUseException">The image is open elsewhere, or a parent is being written.</exception>
    /// <exception cref="VhdFormatException">The image or a parent is malformed, or a parent is missing.</exception>
    /// <exception cref="VhdIOException">A file cannot be read or written.</exception>
    public static long Pull(IFileSystem fs, string childPath, VhdOpenOptions? options = null, IProgress<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(fs);
        ArgumentNullException.ThrowIfNull(childPath);
        using var activity = VhdTelemetry.ActivitySource.StartActivity("vhd.pull");
        options = (options ?? new VhdOpenOptions()) with { ForceShare = false };
        var child = CommitFile.Open(fs, fs.Path.GetFullPath(childPath), exclusive: true, options);
        try
        {
            if (IsPulledButForItsHeader(child.Metadata))
            {
                ClearParentId(child);
                return 0;
            }
            if (child.Metadata.Footer.DiskType != VhdDiskType.Differencing)
                throw new VhdException($"{child.Path}: is a {child.Metadata.Footer.DiskType.ToString().ToLowerInvariant()} image, not a differencing one; it has no parent to pull from");
            long copied;
            using (var disk = VirtualDisk.OpenOver(child.Lock, options, new ChainContext(), ownsLock: false))
            {
                copied = CopyDown(disk, child.Metadata.Bat!, progress);
                disk.Flush();
            }
            child.Reload(options);
            child.WriteFooter((child.Metadata.Footer with { DiskType = VhdDiskType.Dynamic }).WithChecksum());
            ClearParentId(child);
            activity?.SetTag("vhd.pull.bytes", copied);
            return copied;
        }
        finally
        {
            child.Dispose();
            child.RestoreAttributes();
        }
    }

    /// <summary>A dynamic image whose header still names a parent id: a pull that stopped after its footer changed.</summary>
    private static bool IsPulledButForItsHeader(ImageMetadata m) =>
        m.Footer.DiskType == VhdDiskType.Dynamic && m.Header!.ParentUniqueId != Guid.Empty;

    /// <summary>The header's parent id and timestamp cleared: both are in its first sector (one atomic write), the parent name stays.</summary>
    private static void ClearParentId(CommitFile child)
    {
        var m = child.Metadata;
        child.WriteHeaderFirstSector((m.Header! with { ParentUniqueId = Guid.Empty, ParentTimestamp = 0 }).WithChecksum());
    }

    /// <summary>
    /// Rewrites, block by block, every block the image does not wholly own: allocated ones (their
    /// clear sectors must hold what they read once the bitmap no longer counts) and unallocated ones
    /// where a parent may hold data. Returns the bytes written.
    /// </summary>
    private static long CopyDown(VirtualDisk disk, BlockAllocationTable bat, IProgress<long>? progress)
    {
        int chunk = disk.BlockSize;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(chunk);
        long copied = 0;
        try
        {
            for (long offset = 0, block = 0; offset < disk.Length; offset += chunk, block++)
            {
                int n = (int)Math.Min(chunk, disk.Length - offset);
                if (disk.CanWriteInPlace(offset, n) || (!bat.IsAllocated(block) && !disk.MayContainData(offset, n))) continue;
                disk.Read(offset, buffer.AsSpan(0, n));
                disk.Write(offset, buffer.AsSpan(0, n));
                copied += n;
                progress?.Report(offset + n);
            }
        }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
        return copied;
    }
}
