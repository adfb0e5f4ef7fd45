using System.Buffers;
using System.IO.Abstractions;
using Storage.VhdEngine.Format;

namespace Storage.VhdEngine.Disks;

/// <summary>
/// A dynamic image: footer copy, dynamic header, BAT, then blocks (sector bitmap + data) and the
/// end footer. Blocks are allocated with the protocol of DESIGN.md §4: the new block starts at
/// the end footer's offset, the footer moves first, the bitmap overwrites the old footer, and
/// BAT and bitmap updates reach the file only after an fsync made the data durable.
/// <see cref="DifferencingDisk"/> extends this with per-sector bitmaps and a parent.
/// </summary>
public class DynamicDisk : VirtualDisk
{
    private protected readonly BlockAllocationTable Bat;
    private protected readonly int BitmapBytes;
    private protected readonly long BlockBytes;
    private readonly byte[] _footerBytes;
    private readonly byte[] _fullBitmap;
    private readonly Dictionary<long, byte[]> _bitmaps = [];
    private readonly HashSet<long> _dirtyBitmaps = [];
    private long _footerOffset;
    private bool _unsynced;

    internal DynamicDisk(IFileSystem fs, string path, BlockFile file, ImageMetadata metadata, VhdOpenOptions options)
        : base(fs, path, file, metadata, options)
    {
        Bat = metadata.Bat!;
        BlockBytes = metadata.Header!.BlockSize;
        BitmapBytes = metadata.BitmapBytes;
        _footerOffset = metadata.FooterOffset;
        _footerBytes = metadata.Footer.ToArray();
        _fullBitmap = new byte[BitmapBytes];
        _fullBitmap.AsSpan().Fill(0xFF);
        // A session that wrote without a flush (a process that died) leaves writes the OS may not
        // have written back, and this one reads them: its first flush must fsync even if it wrote
        // nothing, or what it read is not durable when Flush returns.
        _unsynced = file.CanWrite;
    }

    /// <inheritdoc />
    public override int BlockSize => (int)BlockBytes;

    /// <inheritdoc />
    public override long AllocatedBlocks { get { lock (Gate) return Bat.AllocatedCount; } }

    /// <summary>Offset of the end footer: where the next block will start.</summary>
    public long EndFooterOffset { get { lock (Gate) return _footerOffset; } }

    /// <summary>Differencing images track each sector; dynamic ones treat allocated blocks as whole.</summary>
    private protected virtual bool TracksSectors => false;

    /// <summary>Reads what lies beneath this image where it holds nothing: zeros, or the parent.</summary>
    private protected virtual void ReadBelow(long offset, Span<byte> buffer) => buffer.Clear();

    /// <summary>Whether the images beneath this one may hold data in the range.</summary>
    private protected virtual bool BelowMayContainData(long offset, long length) => false;

    private long BlockStart(long block) => (long)Bat[block] * VhdConstants.SectorSize;

    private protected override void ReadCore(long offset, Span<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            long block = offset / BlockBytes;
            int inBlock = (int)(offset % BlockBytes);
            int n = (int)Math.Min(BlockBytes - inBlock, buffer.Length);
            var part = buffer[..n];
            if (!Bat.IsAllocated(block)) ReadBelow(offset, part);
            else if (!TracksSectors) File.ReadAt(BlockStart(block) + BitmapBytes + inBlock, part);
            else ReadSectors(block, inBlock, part);
            offset += n;
            buffer = buffer[n..];
        }
    }

    /// <summary>Reads an allocated block run by run of equal bitmap bits: set from this file, clear from below.</summary>
    private void ReadSectors(long block, int inBlock, Span<byte> buffer)
    {
        byte[] bitmap = GetBitmap(block);
        long dataStart = BlockStart(block) + BitmapBytes;
        long blockVirtual = block * BlockBytes;
        int pos = inBlock;
        int end = inBlock + buffer.Length;
        while (pos < end)
        {
            int sector = pos / VhdConstants.SectorSize;
            int lastSector = (end - 1) / VhdConstants.SectorSize;
            int run = SectorBitmap.RunLength(bitmap, sector, lastSector - sector + 1, out bool set);
            int runEnd = Math.Min((sector + run) * VhdConstants.SectorSize, end);
            var part = buffer.Slice(pos - inBlock, runEnd - pos);
            if (set) File.ReadAt(dataStart + pos, part);
            else ReadBelow(blockVirtual + pos, part);
            pos = runEnd;
        }
    }

    private byte[] GetBitmap(long block)
    {
        if (!TracksSectors) return _fullBitmap;
        if (!_bitmaps.TryGetValue(block, out var bitmap))
        {
            bitmap = new byte[BitmapBytes];
            File.ReadAt(BlockStart(block), bitmap);
            _bitmaps[block] = bitmap;
        }
        return bitmap;
    }

    private protected override void WriteCore(long offset, ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            long block = offset / BlockBytes;
            int inBlock = (int)(offset % BlockBytes);
            int n = (int)Math.Min(BlockBytes - inBlock, data.Length);
            if (TracksSectors) WriteSectors(block, inBlock, data[..n]);
            else if (!Bat.IsAllocated(block)) Allocate(block, inBlock, data[..n], null);
            else File.WriteAt(BlockStart(block) + BitmapBytes + inBlock, data[..n]);
            _unsynced = true;
            offset += n;
            data = data[n..];
        }
    }

    /// <summary>
    /// A differencing write: whole sectors only, so a partial sector is first merged with what
    /// the sector reads now (the parent's bytes when its bit is clear); then the bits are set.
    /// </summary>
    private void WriteSectors(long block, int inBlock, ReadOnlySpan<byte> data)
    {
        const int S = VhdConstants.SectorSize;
        int first = inBlock / S;
        int endSector = (inBlock + data.Length + S - 1) / S;
        int alignedStart = first * S;
        int alignedLength = (endSector - first) * S;
        byte[]? rented = null;
        ReadOnlySpan<byte> payload = data;
        if (alignedStart != inBlock || alignedLength != data.Length)
        {
            rented = ArrayPool<byte>.Shared.Rent(alignedLength);
            var merged = rented.AsSpan(0, alignedLength);
            long virtualStart = block * BlockBytes + alignedStart;
            ReadCore(virtualStart, merged[..S]);
            if (endSector - first > 1) ReadCore(virtualStart + alignedLength - S, merged[^S..]);
            data.CopyTo(merged[(inBlock - alignedStart)..]);
            payload = merged;
        }
        try
        {
            if (!Bat.IsAllocated(block))
            {
                var bitmap = new byte[BitmapBytes];
                SectorBitmap.SetRange(bitmap, first, endSector - first);
                Allocate(block, alignedStart, payload, bitmap);
            }
            else
            {
                File.WriteAt(BlockStart(block) + BitmapBytes + alignedStart, payload);
                var bitmap = GetBitmap(block);
                // The bits reach the file at the next flush, after the data is durable.
                SectorBitmap.SetRange(bitmap, first, endSector - first);
                _dirtyBitmaps.Add(block);
            }
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Allocates <paramref name="block"/> at the end footer's offset F: the footer moves to
    /// F + bitmap + block first, then the bitmap overwrites the old footer and the data follows.
    /// The BAT entry changes in memory only; <see cref="FlushCore"/> writes it after an fsync.
    /// </summary>
    private void Allocate(long block, int inBlock, ReadOnlySpan<byte> data, byte[]? bitmap)
    {
        using var activity = VhdTelemetry.ActivitySource.StartActivity("vhd.block.allocate");
        activity?.SetTag("vhd.block", block);
        long f = AlignUp(_footerOffset);
        long sector = f / VhdConstants.SectorSize;
        if (sector >= VhdConstants.UnallocatedEntry)
            throw new VhdException($"{Path}: image file is full: block {block} would start at sector {sector}, past the BAT's 32-bit limit");
        long newFooter = f + BitmapBytes + BlockBytes;
        File.WriteAt(newFooter, _footerBytes);
        VhdTelemetry.RecordMetadataWrite("footer");
        File.WriteAt(f, bitmap ?? _fullBitmap);
        VhdTelemetry.RecordMetadataWrite("bitmap");
        File.WriteAt(f + BitmapBytes + inBlock, data);
        Bat.Set(block, (uint)sector);
        if (bitmap is not null) _bitmaps[block] = bitmap;
        _footerOffset = Math.Max(_footerOffset, newFooter);
        VhdTelemetry.BlockAllocations.Add(1);
    }

    private protected override void FlushCore(bool durable)
    {
        bool metadata = Bat.IsDirty || _dirtyBitmaps.Count > 0;
        if (!durable)
        {
            // Metadata without the fsyncs: all of it stays unsynced, for the next durable flush.
            if (!metadata) return;
            WriteMetadata();
            _unsynced = true;
            return;
        }
        if (!_unsynced && !metadata) return;
        using var activity = metadata ? VhdTelemetry.ActivitySource.StartActivity("vhd.metadata.write") : null;
        File.Sync();
        _unsynced = false;
        if (!metadata) return;
        WriteMetadata();
        File.Sync();
    }

    /// <summary>Writes the dirty BAT sectors and the dirty bitmaps of blocks allocated earlier.</summary>
    private void WriteMetadata()
    {
        Bat.WriteDirty(File);
        foreach (long block in _dirtyBitmaps)
        {
            File.WriteAt(BlockStart(block), _bitmaps[block]);
            VhdTelemetry.RecordMetadataWrite("bitmap");
        }
        _dirtyBitmaps.Clear();
    }

    /// <summary>
    /// The byte ranges this file itself holds, in offset order: whole allocated blocks of a
    /// dynamic image, runs of set bitmap bits of a differencing one (clamped to the disk).
    /// </summary>
    public List<(long Offset, long Length)> OwnRanges()
    {
        var ranges = new List<(long, long)>();
        lock (Gate)
        {
            for (long block = 0; block < Bat.Count; block++)
            {
                if (!Bat.IsAllocated(block)) continue;
                long blockStart = block * BlockBytes;
                if (blockStart >= Length) break;
                int sectors = (int)(Math.Min(BlockBytes, Length - blockStart) / VhdConstants.SectorSize);
                if (!TracksSectors) { ranges.Add((blockStart, Math.Min(BlockBytes, Length - blockStart))); continue; }
                byte[] bitmap = GetBitmap(block);
                for (int s = 0; s < sectors;)
                {
                    int run = SectorBitmap.RunLength(bitmap, s, sectors - s, out bool set);
                    if (set) ranges.Add((blockStart + (long)s * VhdConstants.SectorSize, (long)run * VhdConstants.SectorSize));
                    s += run;
                }
            }
        }
        return ranges;
    }

    private protected override bool CanWriteInPlaceCore(long offset, long length)
    {
        long end = offset + length;
        while (offset < end)
        {
            long block = offset / BlockBytes;
            int inBlock = (int)(offset % BlockBytes);
            int n = (int)Math.Min(BlockBytes - inBlock, end - offset);
            if (!Bat.IsAllocated(block)) return false;
            if (TracksSectors)
            {
                int first = inBlock / VhdConstants.SectorSize;
                int count = (inBlock + n - 1) / VhdConstants.SectorSize - first + 1;
                if (SectorBitmap.RunLength(GetBitmap(block), first, count, out bool set) < count || !set) return false;
            }
            offset += n;
        }
        return true;
    }

    private protected override bool MayContainDataCore(long offset, long length)
    {
        long end = offset + length;
        while (offset < end)
        {
            long block = offset / BlockBytes;
            long n = Math.Min(BlockBytes - offset % BlockBytes, end - offset);
            if (Bat.IsAllocated(block) || BelowMayContainData(offset, n)) return true;
            offset += n;
        }
        return false;
    }

    /// <summary>A read-write open puts a missing or stale end footer back from the copy at offset 0.</summary>
    private protected override void RepairEndFooterOnOpen()
    {
        if (Metadata.EndFooterState == EndFooterState.Valid) return;
        File.WriteAt(_footerOffset, _footerBytes);
        VhdTelemetry.RecordMetadataWrite("footer");
        if (File.Length > _footerOffset + VhdConstants.FooterSize)
            File.SetLength(_footerOffset + VhdConstants.FooterSize);
        File.Sync();
    }

    private static long AlignUp(long v) => (v + VhdConstants.SectorSize - 1) / VhdConstants.SectorSize * VhdConstants.SectorSize;
}
