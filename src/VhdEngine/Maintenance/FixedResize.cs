using System.Buffers;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;

namespace Storage.VhdEngine.Maintenance;

/// <summary>
/// Resizing a fixed image, whose only footer is at the end of the file. A fixed image may be longer
/// than its data (the engine, qemu and libvhdi read the footer's size), which gives every step a
/// valid image: a grow first moves the footer, size unchanged, to the new end, then zeroes what lay
/// past the old size (the old footer), then switches the size in that one sector; a shrink only
/// switches the size in the end footer (one sector), and the file keeps its length: cutting it would
/// be a crash point with no footer at all, since a file system may zero the cut-off sectors before
/// it persists the new length, and a fixed image has no footer copy to fall back on.
/// </summary>
internal static class FixedResize
{
    private const int Chunk = 1024 * 1024;

    /// <summary>Runs the steps from the image's present state (a rerun finishes an interrupted resize).</summary>
    public static void Run(CommitFile image, VhdFooter footer)
    {
        var m = image.Metadata;
        long size = (long)footer.CurrentSize;
        long oldSize = m.VirtualSize;
        long dataEnd = m.FooterOffset;
        long footerAt = dataEnd;
        if (size > dataEnd)
        {
            image.File.WriteAt(size, m.Footer.ToArray());
            image.File.Sync();
            footerAt = size;
        }
        if (size > oldSize && ZeroRange(image.File, oldSize, Math.Min(size, dataEnd + VhdConstants.FooterSize)))
            image.File.Sync();
        image.File.WriteAt(footerAt, footer.ToArray());
        image.File.Sync();
    }

    /// <summary>The first offset in [<paramref name="from"/>, <paramref name="to"/>) whose byte is not zero, or -1.</summary>
    public static long FirstNonZero(BlockFile file, long from, long to)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Chunk);
        try
        {
            for (long at = from; at < to; at += Chunk)
            {
                int n = (int)Math.Min(Chunk, to - at);
                file.ReadAt(at, buffer.AsSpan(0, n));
                int i = buffer.AsSpan(0, n).IndexOfAnyExcept((byte)0);
                if (i >= 0) return at + i;
            }
            return -1;
        }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
    }

    /// <summary>Zeroes the chunks of [<paramref name="from"/>, <paramref name="to"/>) that are not zero already; true if it wrote any.</summary>
    private static bool ZeroRange(BlockFile file, long from, long to)
    {
        bool wrote = false;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Chunk);
        try
        {
            for (long at = from; at < to; at += Chunk)
            {
                int n = (int)Math.Min(Chunk, to - at);
                file.ReadAt(at, buffer.AsSpan(0, n));
                if (buffer.AsSpan(0, n).IndexOfAnyExcept((byte)0) < 0) continue;
                buffer.AsSpan(0, n).Clear();
                file.WriteAt(at, buffer.AsSpan(0, n));
                wrote = true;
            }
            return wrote;
        }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
    }
}
