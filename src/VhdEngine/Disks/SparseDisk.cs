using System.IO.Abstractions;
using Storage.VhdEngine.Format;

namespace Storage.VhdEngine.Disks;

/// <summary>
/// What dynamic and differencing images share: blocks found through the BAT and allocated on first
/// write with the protocol of DESIGN.md §4 (the new block starts at the end footer's offset, the
/// footer moves first, the bitmap overwrites the old footer, the data follows), and the flush that
/// makes the data durable before any BAT entry or bitmap bit that points at it. What a block's
/// bytes mean belongs to the subclass: whole blocks over zeros in <see cref="DynamicDisk"/>, sector
/// by sector over a parent in <see cref="DifferencingDisk"/>.
/// </summary>
internal abstract class SparseDisk : VirtualDisk
{
    private readonly BlockAllocationTable _bat;
    private readonly long _tableOffset;
    private readonly byte[] _footerBytes;
    private long _footerOffset;

    private protected SparseDisk(IFileSystem fs, string path, BlockFile file, ImageMetadata metadata, VhdOpenOptions options)
        : base(fs, path, file, metadata, options)
    {
        _bat = metadata.Bat!;
        _tableOffset = (long)metadata.Header!.TableOffset;
        BlockBytes = metadata.Header.BlockSize;
        BitmapBytes = metadata.BitmapBytes;
        _footerOffset = metadata.FooterOffset;
        _footerBytes = metadata.Footer.ToArray();
    }

    /// <inheritdoc />
    public override int BlockSize => (int)BlockBytes;

    /// <inheritdoc />
    internal override long AllocatedBlocks => _bat.AllocatedCount;

    /// <summary>Offset of the end footer: where the next block will start.</summary>
    public long EndFooterOffset { get { lock (Gate) return _footerOffset; } }

    /// <summary>Bytes of data in a block.</summary>
    private protected long BlockBytes { get; }

    /// <summary>Bytes of a block's sector bitmap (a whole number of sectors).</summary>
    private protected int BitmapBytes { get; }

    /// <summary>Reads <paramref name="buffer"/> at <paramref name="inBlock"/> of <paramref name="block"/>; called without the disk's lock.</summary>
    private protected abstract void ReadBlock(long block, int inBlock, Span<byte> buffer);

    /// <summary>Writes <paramref name="data"/> at <paramref name="inBlock"/> of <paramref name="block"/>, allocating it if needed.</summary>
    private protected abstract void WriteBlock(long block, int inBlock, ReadOnlySpan<byte> data);

    /// <summary>True when writing the range of the block changes no allocation or bitmap state (then its bytes go straight to <see cref="DataOffset"/>).</summary>
    private protected abstract bool WritesInPlace(long block, int inBlock, int length);

    /// <summary>True when sector bitmaps of blocks allocated earlier changed in memory since the last flush.</summary>
    private protected virtual bool BitmapsDirty => false;

    /// <summary>Writes the bitmaps <see cref="BitmapsDirty"/> counts (with the disk's lock held, after the data is durable).</summary>
    private protected virtual void WriteDirtyBitmaps() { }

    /// <summary>False when the range (at virtual <paramref name="offset"/>, inside <paramref name="block"/>) certainly reads as zeros.</summary>
    private protected abstract bool BlockMayContainData(long block, long offset, int length);

    /// <summary>Adds the ranges of allocated <paramref name="block"/> (its first <paramref name="length"/> bytes are on the disk) that this file holds.</summary>
    private protected abstract void AddOwnRanges(long block, long blockStart, int length, List<(long Offset, long Length)> ranges);

    /// <summary>True if <paramref name="block"/> has data in this file.</summary>
    private protected bool IsAllocated(long block) => _bat.IsAllocated(block);

    /// <summary>File offset of an allocated block's sector bitmap.</summary>
    private protected long BitmapOffset(long block) => (long)_bat[block] * VhdConstants.SectorSize;

    /// <summary>File offset of an allocated block's data.</summary>
    private protected long DataOffset(long block) => BitmapOffset(block) + BitmapBytes;

    /// <summary>Block, offset in it and bytes of [offset, offset+remaining) that lie in that block.</summary>
    private (long Block, int InBlock, int Length) Locate(long offset, long remaining)
    {
        int inBlock = (int)(offset % BlockBytes);
        return (offset / BlockBytes, inBlock, (int)Math.Min(BlockBytes - inBlock, remaining));
    }

    private protected sealed override void ReadCore(long offset, Span<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            var (block, inBlock, n) = Locate(offset, buffer.Length);
            ReadBlock(block, inBlock, buffer[..n]);
            offset += n;
            buffer = buffer[n..];
        }
    }

    private protected sealed override void WriteCore(long offset, ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var (block, inBlock, n) = Locate(offset, data.Length);
            WriteBlock(block, inBlock, data[..n]);
            offset += n;
            data = data[n..];
        }
    }

    private protected sealed override bool WriteInPlaceCore(long offset, ReadOnlySpan<byte> data)
    {
        if (!CanWriteInPlaceCore(offset, data.Length)) return false;
        while (!data.IsEmpty)
        {
            var (block, inBlock, n) = Locate(offset, data.Length);
            File.WriteAt(DataOffset(block) + inBlock, data[..n]);
            offset += n;
            data = data[n..];
        }
        return true;
    }

    private protected sealed override bool CanWriteInPlaceCore(long offset, long length)
    {
        long end = offset + length;
        while (offset < end)
        {
            var (block, inBlock, n) = Locate(offset, end - offset);
            if (!WritesInPlace(block, inBlock, n)) return false;
            offset += n;
        }
        return true;
    }

    private protected sealed override bool MayContainDataCore(long offset, long length)
    {
        long end = offset + length;
        while (offset < end)
        {
            var (block, _, n) = Locate(offset, end - offset);
            if (BlockMayContainData(block, offset, n)) return true;
            offset += n;
        }
        return false;
    }

    /// <summary>
    /// Allocates <paramref name="block"/> at the end footer's offset F: the footer moves to
    /// F + bitmap + block first, then <paramref name="bitmap"/> overwrites the old footer and
    /// <paramref name="data"/> follows at <paramref name="inBlock"/>. The BAT entry changes in
    /// memory only; <see cref="FlushCore"/> writes it after an fsync.
    /// </summary>
    private protected void Allocate(long block, ReadOnlySpan<byte> bitmap, int inBlock, ReadOnlySpan<byte> data)
    {
        using var activity = VhdTelemetry.ActivitySource.StartActivity("vhd.block.allocate");
        activity?.SetTag("vhd.block", block);
        long f = VhdConstants.RoundUpToSector(_footerOffset);
        long sector = f / VhdConstants.SectorSize;
        if (sector >= VhdConstants.UnallocatedEntry)
            throw new VhdException($"{Path}: image file is full: block {block} would start at sector {sector}, past the BAT's 32-bit limit");
        long newFooter = f + BitmapBytes + BlockBytes;
        File.WriteAt(newFooter, _footerBytes);
        VhdTelemetry.RecordMetadataWrite("footer");
        File.WriteAt(f, bitmap);
        VhdTelemetry.RecordMetadataWrite("bitmap");
        File.WriteAt(f + BitmapBytes + inBlock, data);
        _bat.Set(block, (uint)sector);
        _footerOffset = Math.Max(_footerOffset, newFooter);
        VhdTelemetry.BlockAllocations.Add(1);
    }

    /// <summary>
    /// Unhooks <paramref name="block"/> in memory: it reads as unallocated at once, and the next
    /// flush writes its cleared BAT entry (the old slot becomes leaked space, reclaimed by a
    /// compaction; nothing is ever allocated into it, so a crash before that flush still reads the
    /// old data). Dynamic images only: they keep no dirty bitmaps. The dirty BAT sector is what makes
    /// the next durable flush sync (<see cref="FlushCore"/>).
    /// </summary>
    private protected void Free(long block) => _bat.Set(block, VhdConstants.UnallocatedEntry);

    /// <summary>
    /// Durable: the data first (one sync, the only one when no metadata is dirty), then the dirty BAT
    /// sectors and bitmaps, then a second sync for them (DESIGN.md §4). Not durable: the metadata is
    /// written without syncs, and all of it stays unsynced for the next durable flush.
    /// </summary>
    private protected sealed override void FlushCore(bool durable)
    {
        bool metadata = _bat.IsDirty || BitmapsDirty;
        if (!durable)
        {
            if (!metadata) return;
            WriteMetadata();
            MarkUnsynced();
            return;
        }
        if (!NeedsSync(out long writes) && !metadata) return;
        using var activity = metadata ? VhdTelemetry.ActivitySource.StartActivity("vhd.metadata.write") : null;
        File.Sync();
        MarkSynced(writes);
        if (!metadata) return;
        WriteMetadata();
        File.Sync();
    }

    /// <summary>Writes the dirty BAT sectors and the dirty bitmaps of blocks allocated earlier.</summary>
    private void WriteMetadata()
    {
        WriteDirtyTable();
        WriteDirtyBitmaps();
    }

    /// <summary>Writes every dirty run of BAT sectors, one write per run, marking each clean once written.</summary>
    private void WriteDirtyTable() => _bat.WriteDirty(File, _tableOffset);

    /// <summary>
    /// The byte ranges this file itself holds, in offset order: whole allocated blocks of a
    /// dynamic image, runs of set bitmap bits of a differencing one (clamped to the disk).
    /// </summary>
    public List<(long Offset, long Length)> OwnRanges()
    {
        var ranges = new List<(long Offset, long Length)>();
        lock (Gate)
        {
            for (long block = 0; block < _bat.Count; block++)
            {
                if (!_bat.IsAllocated(block)) continue;
                long blockStart = block * BlockBytes;
                if (blockStart >= Length) break;
                AddOwnRanges(block, blockStart, (int)Math.Min(BlockBytes, Length - blockStart), ranges);
            }
        }
        return ranges;
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
}
