using System.Buffers;
using System.IO.Abstractions;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;

namespace Storage.VhdEngine.Maintenance;

/// <summary>
/// Compacts a dynamic or differencing image in place (Hyper-V's Optimize-VHD; DESIGN.md §13), in
/// three steps, each crash-safe on its own, so an interrupted run leaves an image that opens,
/// checks clean and reads the same, and running it again completes it:
/// <list type="number">
/// <item>blocks whose data is all zeros (dynamic) or whose bitmap is empty (differencing) are freed:
/// their BAT entries cleared (they read the same either way), fsynced;</item>
/// <item>blocks move down into the holes, a batch at a time: copies written into space nothing
/// references, fsynced, then the BAT entries switched, fsynced;</item>
/// <item>the end footer is written after the last block, fsynced, then the file is cut after it.</item>
/// </list>
/// </summary>
internal static class Compactor
{
    /// <summary>Bytes of block slots moved between two fsyncs.</summary>
    private const long BatchBytes = 64L * 1024 * 1024;

    /// <summary>
    /// Compacts <paramref name="path"/>, locked exclusively throughout. <paramref name="progress"/> is
    /// told the virtual-disk offset the scan for empty blocks reached.
    /// </summary>
    /// <exception cref="VhdImageInUseException">The image is open elsewhere.</exception>
    /// <exception cref="VhdException">The image is fixed; or it is a parent and the compaction is not forced.</exception>
    /// <exception cref="VhdFormatException">The image is malformed.</exception>
    /// <exception cref="VhdIOException">The file cannot be read or written.</exception>
    public static CompactResult Compact(IFileSystem fs, string path, CompactOptions? compact = null, VhdOpenOptions? options = null, IProgress<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(fs);
        ArgumentNullException.ThrowIfNull(path);
        using var activity = VhdTelemetry.ActivitySource.StartActivity("vhd.compact");
        options = (options ?? new VhdOpenOptions()) with { ForceShare = false };
        var image = CommitFile.Open(fs, fs.Path.GetFullPath(path), exclusive: true, options);
        try
        {
            if (image.Metadata.Footer.DiskType == VhdDiskType.Fixed)
                throw new VhdException($"{image.Path}: is a fixed image: every block is stored, there is nothing to compact (convert it to a dynamic one: vhd convert -O dynamic)");
            ParentGuard.Check(fs, image, compact?.Force ?? false, "compacted", options);
            long before = image.File.Length;
            int freed = FreeEmptyBlocks(image, progress);
            image.Reload(options);
            var (moves, footerOffset) = CompactLayout.Plan(image.Metadata);
            MoveBlocks(image, moves);
            image.Reload(options);
            Truncate(image, footerOffset);
            var result = new CompactResult(before, image.File.Length, freed, moves.Count);
            activity?.SetTag("vhd.compact.reclaimed", result.BytesReclaimed);
            return result;
        }
        finally
        {
            image.Dispose();
            image.RestoreAttributes();
        }
    }

    /// <summary>Clears the BAT entries of blocks that read the same unallocated; returns how many.</summary>
    private static int FreeEmptyBlocks(CommitFile image, IProgress<long>? progress)
    {
        var m = image.Metadata;
        var bat = m.Bat!;
        long blockSize = m.Header!.BlockSize;
        bool differencing = m.Footer.DiskType == VhdDiskType.Differencing;
        int length = differencing ? m.BitmapBytes : (int)blockSize;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(length);
        int freed = 0;
        try
        {
            for (long block = 0; block < bat.Count; block++)
            {
                if (!bat.IsAllocated(block)) continue;
                long at = (long)bat[block] * VhdConstants.SectorSize + (differencing ? 0 : m.BitmapBytes);
                image.File.ReadAt(at, buffer.AsSpan(0, length));
                if (buffer.AsSpan(0, length).IndexOfAnyExcept((byte)0) < 0)
                {
                    bat.Set(block, VhdConstants.UnallocatedEntry);
                    freed++;
                }
                progress?.Report(Math.Min(m.VirtualSize, (block + 1) * blockSize));
            }
        }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
        if (freed == 0) return 0;
        bat.WriteDirty(image.File, (long)m.Header.TableOffset);
        image.File.Sync();
        return freed;
    }

    /// <summary>Copies each batch of blocks to its new place, fsyncs, then points the BAT at the copies and fsyncs.</summary>
    private static void MoveBlocks(CommitFile image, List<BlockMove> moves)
    {
        if (moves.Count == 0) return;
        var m = image.Metadata;
        int slot = m.BitmapBytes + (int)m.Header!.BlockSize;
        int perBatch = (int)Math.Max(1, BatchBytes / slot);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(slot);
        try
        {
            for (int first = 0; first < moves.Count; first += perBatch)
            {
                var batch = moves.GetRange(first, Math.Min(perBatch, moves.Count - first));
                foreach (var move in batch)
                {
                    image.File.ReadAt(move.From, buffer.AsSpan(0, slot));
                    image.File.WriteAt(move.To, buffer.AsSpan(0, slot));
                }
                image.File.Sync();
                foreach (var move in batch) m.Bat!.Set(move.Block, (uint)(move.To / VhdConstants.SectorSize));
                m.Bat!.WriteDirty(image.File, (long)m.Header.TableOffset);
                image.File.Sync();
            }
        }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
    }

    /// <summary>Writes the end footer at <paramref name="footerOffset"/> (fsynced) before the file is cut after it (fsynced).</summary>
    private static void Truncate(CommitFile image, long footerOffset)
    {
        var m = image.Metadata;
        if (footerOffset >= m.FooterOffset && m.EndFooterState == EndFooterState.Valid) return;
        footerOffset = Math.Min(footerOffset, m.FooterOffset);
        image.File.WriteAt(footerOffset, m.Footer.ToArray());
        image.File.Sync();
        image.File.SetLength(footerOffset + VhdConstants.FooterSize);
        image.File.Sync();
    }
}
