using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;

namespace Storage.VhdEngine.Maintenance;

/// <summary>
/// Where a compaction moves blocks (no I/O): the block highest in the file goes to the lowest hole
/// that holds a whole block slot (bitmap and data) without overlapping anything, again and again,
/// until no hole below the highest block is large enough; then the file ends after its last block.
/// A block is only ever moved into space nothing references, so the old copy stays valid until the
/// BAT entry that switches to the new one is written.
/// </summary>
internal sealed class CompactLayout
{
    private readonly List<(long Start, long End)> _holes;
    private readonly long _slot;
    private readonly int _bitmapBytes;

    private CompactLayout(List<(long Start, long End)> holes, long slot, int bitmapBytes)
    {
        _holes = holes;
        _slot = slot;
        _bitmapBytes = bitmapBytes;
    }

    /// <summary>The moves, highest block first, and where the end footer goes afterwards (never later than now).</summary>
    public static (List<BlockMove> Moves, long FooterOffset) Plan(ImageMetadata m)
    {
        var bat = m.Bat!;
        long slot = m.BitmapBytes + (long)m.Header!.BlockSize;
        var blocks = new List<(long Block, long Start)>();
        for (long b = 0; b < bat.Count; b++)
            if (bat.IsAllocated(b)) blocks.Add((b, (long)bat[b] * VhdConstants.SectorSize));
        var regions = m.MetadataRegions.Select(r => (r.Start, r.End)).Concat(blocks.Select(b => (b.Start, End: b.Start + slot)));
        var layout = new CompactLayout(Holes(regions, m.FooterOffset), slot, m.BitmapBytes);
        return layout.Plan(blocks, m.MetadataEnd, m.FooterOffset);
    }

    /// <summary>The gaps between the occupied regions, up to the end footer.</summary>
    private static List<(long Start, long End)> Holes(IEnumerable<(long Start, long End)> occupied, long footerOffset)
    {
        var holes = new List<(long Start, long End)>();
        long cursor = 0;
        foreach (var (start, end) in occupied.OrderBy(r => r.Start))
        {
            if (start > cursor) holes.Add((cursor, start));
            cursor = Math.Max(cursor, end);
        }
        if (footerOffset > cursor) holes.Add((cursor, footerOffset));
        return holes;
    }

    private (List<BlockMove> Moves, long FooterOffset) Plan(List<(long Block, long Start)> blocks, long metadataEnd, long footerOffset)
    {
        var moves = new List<BlockMove>();
        long end = metadataEnd;
        foreach (var (block, start) in blocks.OrderByDescending(b => b.Start))
        {
            if (Place(start) is not { } to)
            {
                // Nothing below this block takes a slot: neither it nor any lower block moves.
                end = Math.Max(end, start + _slot);
                break;
            }
            moves.Add(new BlockMove(block, start, to));
            end = Math.Max(end, to + _slot);
        }
        if (blocks.Count == 0) end = ImageMetadata.FirstBlockOffset(metadataEnd, _bitmapBytes);
        return (moves, Math.Min(footerOffset, VhdConstants.RoundUpToSector(end)));
    }

    /// <summary>Takes a slot in the lowest hole that ends before <paramref name="below"/>: data 4 KiB-aligned where it fits, else sector-aligned.</summary>
    private long? Place(long below)
    {
        for (int i = 0; i < _holes.Count; i++)
        {
            var (start, end) = _holes[i];
            if (start >= below) return null;
            long aligned = ImageMetadata.FirstBlockOffset(start, _bitmapBytes);
            long at = aligned + _slot <= end ? aligned : VhdConstants.RoundUpToSector(start);
            if (at + _slot > end || at + _slot > below) continue;
            _holes.RemoveAt(i);
            if (at + _slot < end) _holes.Insert(i, (at + _slot, end));
            if (at > start) _holes.Insert(i, (start, at));
            return at;
        }
        return null;
    }
}
