using System.Buffers;
using System.IO.Abstractions;
using Storage.VhdEngine.Format;

namespace Storage.VhdEngine.Disks;

/// <summary>
/// A differencing image: a sparse image over a parent. Each sector of an allocated block is this
/// file's when its bitmap bit is set and the parent's when it is clear; an unallocated block is
/// the parent's. A write makes the sectors it touches this file's (a partial sector that was the
/// parent's is completed from the parent) and sets exactly those bits; the bits of a block
/// allocated earlier reach the file at the next flush, after the data (DESIGN.md §4). Bitmaps are
/// kept in a bounded cache (<see cref="BitmapCache"/>). The parent is opened read-only and shared.
/// </summary>
internal sealed class DifferencingDisk : SparseDisk
{
    private const int S = VhdConstants.SectorSize;
    private readonly VirtualDisk _parent;
    private readonly BitmapCache _bitmaps;
    // The bitmap of a block being allocated (allocation holds the disk's lock: one at a time).
    private readonly byte[] _fresh;

    private DifferencingDisk(IFileSystem fs, string path, BlockFile file, ImageMetadata metadata, VhdOpenOptions options, VirtualDisk parent)
        : base(fs, path, file, metadata, options)
    {
        _parent = parent;
        _fresh = new byte[BitmapBytes];
        _bitmaps = new BitmapCache(BitmapBytes, (block, bits) => File.ReadAt(BitmapOffset(block), bits));
    }

    /// <summary>The parent image (shared, read-only; do not dispose it).</summary>
    private protected override VirtualDisk ParentDisk => _parent;

    /// <summary>The parent path that was resolved, as opened.</summary>
    public string ParentPath => _parent.Path;

    /// <summary>Reads an allocated block run by run of equal bitmap bits: set from this file, clear from the parent.</summary>
    private protected override void ReadBlock(long block, int inBlock, Span<byte> buffer)
    {
        long blockStart = block * BlockBytes;
        if (!IsAllocated(block)) { ReadParent(blockStart + inBlock, buffer); return; }
        int end = inBlock + buffer.Length;
        for (int pos = inBlock; pos < end;)
        {
            int sector = pos / S;
            int run = _bitmaps.RunLength(block, sector, (end - 1) / S - sector + 1, out bool set);
            int runEnd = Math.Min((sector + run) * S, end);
            var part = buffer.Slice(pos - inBlock, runEnd - pos);
            if (set) File.ReadAt(DataOffset(block) + pos, part);
            else ReadParent(blockStart + pos, part);
            pos = runEnd;
        }
    }

    /// <summary>
    /// Writes with the disk's lock held: the caller's bytes, widened to whole sectors only where a
    /// partial first or last sector is the parent's (then the rest of that sector is taken from the
    /// parent, which is read-only); a partial sector that is already this file's gets exactly the
    /// caller's bytes, so a write beside it in place is never overwritten with stale bytes. Then the
    /// sectors' bits are set (a new block's bitmap has only those).
    /// </summary>
    private protected override void WriteBlock(long block, int inBlock, ReadOnlySpan<byte> data)
    {
        int first = inBlock / S, last = (inBlock + data.Length - 1) / S;
        int start = inBlock % S != 0 && !IsOwn(block, first) ? first * S : inBlock;
        int end = (inBlock + data.Length) % S != 0 && !IsOwn(block, last) ? (last + 1) * S : inBlock + data.Length;
        if (start == inBlock && end == inBlock + data.Length)
        {
            WriteRange(block, start, data, first, last);
            return;
        }
        byte[] rented = ArrayPool<byte>.Shared.Rent(end - start);
        try
        {
            var merged = rented.AsSpan(0, end - start);
            long blockStart = block * BlockBytes;
            if (start < inBlock) ReadParent(blockStart + start, merged[..S]);
            if (end > inBlock + data.Length && (first != last || start == inBlock)) ReadParent(blockStart + last * S, merged[^S..]);
            data.CopyTo(merged[(inBlock - start)..]);
            WriteRange(block, start, merged, first, last);
        }
        finally { ArrayPool<byte>.Shared.Return(rented); }
    }

    /// <summary>True if <paramref name="sector"/> of <paramref name="block"/> is this file's (allocated, bit set).</summary>
    private bool IsOwn(long block, int sector) => IsAllocated(block) && _bitmaps.IsSet(block, sector);

    /// <summary>Writes <paramref name="bytes"/> at <paramref name="start"/> of the block and marks sectors [first, last] this file's.</summary>
    private void WriteRange(long block, int start, ReadOnlySpan<byte> bytes, int first, int last)
    {
        if (!IsAllocated(block))
        {
            // Unallocated: every sector is the parent's, so start is sector-aligned and the bytes whole sectors.
            _fresh.AsSpan().Clear();
            SectorBitmap.SetRange(_fresh, first, last - first + 1);
            _bitmaps.Add(block, _fresh);
            Allocate(block, _fresh, start, bytes);
            return;
        }
        File.WriteAt(DataOffset(block) + start, bytes);
        // The bits reach the file at the next flush, after the data (DESIGN.md §4); none changed: nothing to write.
        _bitmaps.SetRange(block, first, last - first + 1);
    }

    /// <summary>Reads the parent; past its end (a child larger than its parent) reads zeros.</summary>
    private void ReadParent(long offset, Span<byte> buffer)
    {
        long parentLength = _parent.Length;
        if (offset >= parentLength) { buffer.Clear(); return; }
        int inParent = (int)Math.Min(buffer.Length, parentLength - offset);
        _parent.Read(offset, buffer[..inParent]);
        buffer[inParent..].Clear();
    }

    private protected override bool WritesInPlace(long block, int inBlock, int length)
    {
        if (!IsAllocated(block)) return false;
        int first = inBlock / S;
        return _bitmaps.AllSet(block, first, (inBlock + length - 1) / S - first + 1);
    }

    private protected override bool BitmapsDirty => _bitmaps.IsDirty;

    private protected override void WriteDirtyBitmaps() => _bitmaps.WriteDirty((block, bits) =>
    {
        File.WriteAt(BitmapOffset(block), bits);
        VhdTelemetry.RecordMetadataWrite("bitmap");
    });

    private protected override bool BlockMayContainData(long block, long offset, int length)
    {
        if (IsAllocated(block)) return true;
        long parentLength = _parent.Length;
        return offset < parentLength && _parent.MayContainData(offset, Math.Min(length, parentLength - offset));
    }

    private protected override void AddOwnRanges(long block, long blockStart, int length, List<(long Offset, long Length)> ranges)
    {
        // A virtual size that is not whole sectors ends inside a sector: that sector counts too
        // (reads take it from this file when its bit is set), cut at the end of the disk.
        int sectors = (length + S - 1) / S;
        for (int s = 0; s < sectors;)
        {
            int run = _bitmaps.RunLength(block, s, sectors - s, out bool set);
            if (set) ranges.Add((blockStart + (long)s * S, Math.Min((long)run * S, length - (long)s * S)));
            s += run;
        }
    }

    // Called once: Dispose runs it only on the first call.
    private protected override void ReleaseParent() => ParentCache.Release(_parent);

    internal static DifferencingDisk OpenWithParent(IFileSystem fs, string fullPath, BlockFile file, ImageMetadata metadata, VhdOpenOptions options, ChainContext chain)
    {
        chain.Paths.Add(fullPath);
        // Depth counts images, as ParentCache does: these differencing images plus at least a parent.
        if (chain.Paths.Count + 1 > options.MaxChainDepth)
            throw new VhdFormatException(fullPath, "parent chain", $"depth exceeds the limit of {options.MaxChainDepth} images at '{fullPath}'");
        var header = metadata.Header!;
        string parentPath = ParentLocatorResolver.Resolve(fs, fullPath, header, file, options);
        if (chain.Paths.Contains(parentPath, StringComparer.Ordinal))
            throw new VhdFormatException(fullPath, "parent chain", $"cycle: '{parentPath}' is its own ancestor (chain: {string.Join(" -> ", chain.Paths)})");
        var parent = ParentCache.Acquire(fs, parentPath, options, chain);
        try
        {
            if (parent.Footer.UniqueId != header.ParentUniqueId)
                throw new VhdFormatException(fullPath, "parent unique id", $"'{fullPath}' expects parent id {header.ParentUniqueId:N} but '{parentPath}' has id {parent.Footer.UniqueId:N}"
                    + (CommitIntent.Read(metadata.Footer) is { } intent ? $" ({intent.Explain(parentPath)})" : ""));
            return new DifferencingDisk(fs, fullPath, file, metadata, options, parent);
        }
        catch
        {
            ParentCache.Release(parent);
            throw;
        }
    }
}
