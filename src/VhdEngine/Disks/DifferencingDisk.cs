using System.Buffers;
using System.IO.Abstractions;
using Storage.VhdEngine.Format;

namespace Storage.VhdEngine.Disks;

/// <summary>
/// A differencing image: a sparse image over a parent. Each sector of an allocated block is this
/// file's when its bitmap bit is set and the parent's when it is clear; an unallocated block is
/// the parent's. Writes cover whole sectors (a partial one is merged with what it reads now) and
/// set exactly those sectors' bits; the bits of a block allocated earlier reach the file at the
/// next flush, after the data (DESIGN.md §4). The parent is opened read-only and shared.
/// </summary>
public sealed class DifferencingDisk : SparseDisk
{
    private const int S = VhdConstants.SectorSize;
    private readonly VirtualDisk _parent;
    private readonly Dictionary<long, byte[]> _bitmaps = [];
    private bool _released;

    private DifferencingDisk(IFileSystem fs, string path, BlockFile file, ImageMetadata metadata, VhdOpenOptions options, VirtualDisk parent)
        : base(fs, path, file, metadata, options) => _parent = parent;

    /// <summary>The parent image (shared, read-only; do not dispose it).</summary>
    public override VirtualDisk Parent => _parent;

    /// <summary>The parent path that was resolved, as opened.</summary>
    public string ParentPath => _parent.Path;

    /// <summary>Reads an allocated block run by run of equal bitmap bits: set from this file, clear from the parent.</summary>
    private protected override void ReadBlock(long block, int inBlock, Span<byte> buffer)
    {
        long blockStart = block * BlockBytes;
        if (!IsAllocated(block)) { ReadParent(blockStart + inBlock, buffer); return; }
        byte[] bitmap = Bitmap(block);
        int end = inBlock + buffer.Length;
        for (int pos = inBlock; pos < end;)
        {
            int sector = pos / S;
            int run = SectorBitmap.RunLength(bitmap, sector, (end - 1) / S - sector + 1, out bool set);
            int runEnd = Math.Min((sector + run) * S, end);
            var part = buffer.Slice(pos - inBlock, runEnd - pos);
            if (set) File.ReadAt(DataOffset(block) + pos, part);
            else ReadParent(blockStart + pos, part);
            pos = runEnd;
        }
    }

    /// <summary>Writes whole sectors: a write that starts or ends inside a sector first takes that sector's current bytes.</summary>
    private protected override void WriteBlock(long block, int inBlock, ReadOnlySpan<byte> data)
    {
        int first = inBlock / S;
        int count = (inBlock + data.Length + S - 1) / S - first;
        if (first * S == inBlock && count * S == data.Length)
        {
            WriteSectors(block, first, count, data);
            return;
        }
        byte[] rented = ArrayPool<byte>.Shared.Rent(count * S);
        try
        {
            var sectors = rented.AsSpan(0, count * S);
            ReadCurrentSector(block, first, sectors[..S]);
            if (count > 1) ReadCurrentSector(block, first + count - 1, sectors[^S..]);
            data.CopyTo(sectors[(inBlock - first * S)..]);
            WriteSectors(block, first, count, sectors);
        }
        finally { ArrayPool<byte>.Shared.Return(rented); }
    }

    /// <summary>Writes sectors [first, first+count) of the block and sets their bits: a new block's bitmap has only those.</summary>
    private void WriteSectors(long block, int first, int count, ReadOnlySpan<byte> sectors)
    {
        if (!IsAllocated(block))
        {
            var fresh = new byte[BitmapBytes];
            SectorBitmap.SetRange(fresh, first, count);
            Allocate(block, fresh, first * S, sectors);
            _bitmaps[block] = fresh;
            return;
        }
        File.WriteAt(DataOffset(block) + (long)first * S, sectors);
        byte[] bitmap = Bitmap(block);
        SectorBitmap.SetRange(bitmap, first, count);
        MarkBitmapDirty(block, bitmap);
    }

    /// <summary>What a sector reads now: this file's bytes when its bit is set, the parent's otherwise.</summary>
    private void ReadCurrentSector(long block, int sector, Span<byte> destination)
    {
        if (IsAllocated(block) && SectorBitmap.IsSet(Bitmap(block), sector))
            File.ReadAt(DataOffset(block) + (long)sector * S, destination);
        else
            ReadParent(block * BlockBytes + (long)sector * S, destination);
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

    /// <summary>The bitmap of an allocated block, read from the file once and kept.</summary>
    private byte[] Bitmap(long block)
    {
        if (!_bitmaps.TryGetValue(block, out var bitmap))
        {
            bitmap = new byte[BitmapBytes];
            File.ReadAt(BitmapOffset(block), bitmap);
            _bitmaps[block] = bitmap;
        }
        return bitmap;
    }

    private protected override bool WritesInPlace(long block, int inBlock, int length)
    {
        if (!IsAllocated(block)) return false;
        int first = inBlock / S;
        int count = (inBlock + length - 1) / S - first + 1;
        return SectorBitmap.RunLength(Bitmap(block), first, count, out bool set) >= count && set;
    }

    private protected override bool BlockMayContainData(long block, long offset, int length)
    {
        if (IsAllocated(block)) return true;
        long parentLength = _parent.Length;
        return offset < parentLength && _parent.MayContainData(offset, Math.Min(length, parentLength - offset));
    }

    private protected override void AddOwnRanges(long block, long blockStart, int length, List<(long Offset, long Length)> ranges)
    {
        byte[] bitmap = Bitmap(block);
        int sectors = length / S;
        for (int s = 0; s < sectors;)
        {
            int run = SectorBitmap.RunLength(bitmap, s, sectors - s, out bool set);
            if (set) ranges.Add((blockStart + (long)s * S, (long)run * S));
            s += run;
        }
    }

    private protected override void ReleaseParent()
    {
        if (_released) return;
        _released = true;
        ParentCache.Release(_parent);
    }

    internal static DifferencingDisk OpenWithParent(IFileSystem fs, string fullPath, BlockFile file, ImageMetadata metadata, VhdOpenOptions options, ChainContext chain)
    {
        chain.Paths.Add(fullPath);
        // Depth counts images, as ParentCache does: these differencing images plus at least a parent.
        if (chain.Paths.Count + 1 > options.MaxChainDepth)
            throw new VhdFormatException("parent chain", $"depth exceeds the limit of {options.MaxChainDepth} images at '{fullPath}'");
        var header = metadata.Header!;
        string parentPath = ParentLocatorResolver.Resolve(fs, fullPath, header, file, options);
        if (chain.Paths.Contains(parentPath, StringComparer.Ordinal))
            throw new VhdFormatException("parent chain", $"cycle: '{parentPath}' is its own ancestor (chain: {string.Join(" -> ", chain.Paths)})");
        var parent = ParentCache.Acquire(fs, parentPath, options, chain);
        try
        {
            if (parent.Footer.UniqueId != header.ParentUniqueId)
                throw new VhdFormatException("parent unique id", $"'{fullPath}' expects parent id {header.ParentUniqueId:N} but '{parentPath}' has id {parent.Footer.UniqueId:N}"
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
