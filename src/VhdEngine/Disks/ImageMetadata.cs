using System.Buffers;
using Storage.VhdEngine.Format;

namespace Storage.VhdEngine.Disks;

/// <summary>
/// The validated metadata of an image: which footer counts, where the end footer is, the
/// dynamic header, the BAT and the file regions metadata occupies. Every field that sizes an
/// allocation or a file offset is checked against the file's real length before it is used
/// (DESIGN.md §3). Loading never writes.
/// </summary>
public sealed class ImageMetadata
{
    /// <summary>A region of the file that belongs to metadata or to a block.</summary>
    public readonly record struct Region(long Start, long End, string Name);

    private ImageMetadata(VhdFooter footer, long fileLength) { Footer = footer; FileLength = fileLength; }

    private bool _acceptChecksumMismatch;

    /// <summary>The footer in force (the end one, or the copy at offset 0 when the end one is missing or stale).</summary>
    public VhdFooter Footer { get; }
    /// <summary>Length of the file when loaded.</summary>
    public long FileLength { get; }
    /// <summary>Offset where the end footer is, or must be written back.</summary>
    public long FooterOffset { get; private set; }
    /// <summary>What was found at the end of the file.</summary>
    public EndFooterState EndFooterState { get; private set; }
    /// <summary>The valid copy at offset 0 (dynamic and differencing images), if any.</summary>
    public VhdFooter? FooterCopy { get; private set; }
    /// <summary>The dynamic header (dynamic and differencing images).</summary>
    public DynamicHeader? Header { get; private set; }
    /// <summary>The BAT (dynamic and differencing images).</summary>
    internal BlockAllocationTable? Bat { get; private set; }
    /// <summary>Virtual size per <see cref="VirtualSizeRule"/>.</summary>
    public long VirtualSize { get; private set; }
    /// <summary>Metadata regions: footer copy, header, BAT, locator data.</summary>
    public List<Region> MetadataRegions { get; } = [];
    /// <summary>End of the last metadata region.</summary>
    public long MetadataEnd { get; private set; }
    /// <summary>End of the last allocated block (0 if none).</summary>
    public long BlocksEnd { get; private set; }
    /// <summary>Things worth a warning that do not stop the image from opening.</summary>
    public List<string> Warnings { get; } = [];

    /// <summary>Bytes of each block's bitmap.</summary>
    public int BitmapBytes => Header is null ? 0 : VhdConstants.BitmapBytes(Header.BlockSize);

    /// <summary>Reads and validates the metadata of <paramref name="file"/>.</summary>
    public static ImageMetadata Load(BlockFile file) => Load(file, acceptChecksumMismatch: false);

    /// <summary>
    /// Reads and validates the metadata of <paramref name="file"/>; with
    /// <paramref name="acceptChecksumMismatch"/>, a footer (when no footer with a valid checksum
    /// exists) and a dynamic header whose checksums do not match are accepted with a warning.
    /// </summary>
    public static ImageMetadata Load(BlockFile file, bool acceptChecksumMismatch)
    {
        long len = file.Length;
        if (len < VhdConstants.FooterSize - 1)
            throw new VhdFormatException("file length", $"{len} bytes is smaller than a footer ({VhdConstants.FooterSize - 1} bytes at least)");

        // The three places a footer may be, read once; a lax second look (when asked) only
        // changes which of them count.
        VhdFooter? atEnd = len >= VhdConstants.FooterSize ? ReadFooterAt(file, len - VhdConstants.FooterSize, VhdConstants.FooterSize) : null;
        // Older Virtual PC wrote a 511-byte footer.
        VhdFooter atEnd511 = ReadFooterAt(file, len - (VhdConstants.FooterSize - 1), VhdConstants.FooterSize - 1);
        VhdFooter atStart = ReadFooterAt(file, 0, VhdConstants.FooterSize);

        (VhdFooter? End, long EndOffset, VhdFooter? Copy) Pick(bool lax)
        {
            bool Acceptable(VhdFooter? f) => f is not null && f.HasValidCookie && (lax || f.HasValidChecksum);
            VhdFooter? end = null;
            long endOffset = -1;
            if (Acceptable(atEnd)) { end = atEnd; endOffset = len - VhdConstants.FooterSize; }
            else if (Acceptable(atEnd511)) { end = atEnd511; endOffset = len - (VhdConstants.FooterSize - 1); }
            // In a file of fewer than two footers, offset 0 is the end footer itself, not a copy.
            bool copyPossible = len >= VhdConstants.FooterSize * 2 || end is null;
            VhdFooter? copy = copyPossible && Acceptable(atStart) && atStart.DiskType is DiskType.Dynamic or DiskType.Differencing ? atStart : null;
            return (end, endOffset, copy);
        }

        var (end, endOffset, copy) = Pick(lax: false);
        if (end is null && copy is null && acceptChecksumMismatch)
            (end, endOffset, copy) = Pick(lax: true);

        VhdFooter footer;
        EndFooterState state;
        if (end is not null && (end.DiskType == DiskType.Fixed || copy is null))
        {
            footer = end; state = EndFooterState.Valid;
        }
        else if (copy is not null)
        {
            footer = copy;
            state = end is null ? EndFooterState.Missing : end.Equals(copy) ? EndFooterState.Valid : EndFooterState.Stale;
        }
        else
        {
            Span<byte> tail = stackalloc byte[8];
            file.ReadAt(Math.Max(0, len - VhdConstants.FooterSize), tail); // a 511-byte file has no 512-byte tail
            throw new VhdFormatException("footer", $"no valid footer: cookie at the end is '{Printable(tail)}' (expected 'conectix' with a valid checksum) and offset 0 holds no dynamic footer copy");
        }

        var m = new ImageMetadata(footer, len) { EndFooterState = state, FooterCopy = copy, _acceptChecksumMismatch = acceptChecksumMismatch };
        if (!footer.HasValidChecksum) m.Warnings.Add($"footer checksum 0x{footer.Checksum:x8} does not match the computed 0x{footer.ComputeChecksum():x8} (accepted as the open options ask)");
        if (state == EndFooterState.Stale) m.Warnings.Add("end footer differs from the copy at offset 0 (stale); the copy is used");
        if (state == EndFooterState.Missing) m.Warnings.Add("no valid footer at the end of the file; the copy at offset 0 is used");
        if (endOffset >= 0 && endOffset % VhdConstants.SectorSize != 0) m.Warnings.Add($"end footer at {endOffset} is a 511-byte footer");
        if ((footer.Features & VhdConstants.FeatureReserved) == 0) m.Warnings.Add($"footer features 0x{footer.Features:x8} lack the reserved bit 0x2");
        m.Validate(file, endOffset);
        return m;
    }

    /// <summary>Decodes the footer of <paramref name="length"/> bytes at <paramref name="offset"/> (a 511-byte one zero-padded).</summary>
    private static VhdFooter ReadFooterAt(BlockFile file, long offset, int length)
    {
        Span<byte> buf = stackalloc byte[VhdConstants.FooterSize];
        buf.Clear();
        file.ReadAt(offset, buf[..length]);
        return VhdFooter.Read(buf);
    }

    private void Validate(BlockFile file, long endOffset)
    {
        var f = Footer;
        if (f.FormatVersion >> 16 != 1)
            throw new VhdFormatException("footer format version", $"0x{f.FormatVersion:x8} is not supported (major version must be 1)");
        if (f.DiskType is not (DiskType.Fixed or DiskType.Dynamic or DiskType.Differencing))
            throw new VhdFormatException("footer disk type", $"{(uint)f.DiskType} is not fixed (2), dynamic (3) or differencing (4)");
        ulong virtualSize = VirtualSizeRule.VirtualSize(f);

        if (f.DiskType == DiskType.Fixed)
        {
            long dataEnd = endOffset >= 0 ? endOffset : FileLength - VhdConstants.FooterSize;
            if (virtualSize > (ulong)dataEnd)
                throw new VhdFormatException("footer current size", $"{virtualSize} bytes exceeds the {dataEnd} data bytes a fixed image of {FileLength} bytes holds");
            VirtualSize = (long)virtualSize;
            FooterOffset = dataEnd;
            return;
        }

        if (virtualSize > VhdConstants.MaxDynamicSize)
            throw new VhdFormatException("footer current size", $"{virtualSize} bytes exceeds the limit of {VhdConstants.MaxDynamicSize} bytes (2040 GiB)");
        VirtualSize = (long)virtualSize;

        // Where the end footer is, or where a read-write open puts it back.
        long limit = endOffset >= 0 ? endOffset : FileLength;
        var dataOffsetError = new VhdFormatException("footer data offset", $"{(long)f.DataOffset} places the 1024-byte dynamic header outside [512, {limit - VhdConstants.DynamicHeaderSize}] (file length {FileLength})");
        if (f.DataOffset < VhdConstants.FooterSize || f.DataOffset >= (ulong)limit)
            throw dataOffsetError;
        long headerOffset = (long)f.DataOffset;
        // A header cut short by the end of the file (a fuzzed or truncated image) is read
        // zero-padded: if its cookie is there, its sizing fields are named before the truncation,
        // and every bound is checked before the checksum (DESIGN.md §3, hostile/afl5.img).
        bool truncated = headerOffset > limit - VhdConstants.DynamicHeaderSize;
        var hb = new byte[VhdConstants.DynamicHeaderSize];
        file.ReadAt(headerOffset, hb.AsSpan(0, (int)Math.Min(VhdConstants.DynamicHeaderSize, limit - headerOffset)));
        var h = DynamicHeader.Read(hb);
        if (!h.HasValidCookie)
        {
            if (truncated) throw dataOffsetError;
            throw new VhdFormatException("dynamic header cookie", $"'{Printable(hb.AsSpan(0, 8))}' at offset {headerOffset}, expected 'cxsparse'");
        }
        if (h.BlockSize < VhdConstants.MinBlockSize || h.BlockSize > VhdConstants.MaxBlockSize || (h.BlockSize & (h.BlockSize - 1)) != 0)
            throw new VhdFormatException("block size", $"{h.BlockSize} is not a power of two from {VhdConstants.MinBlockSize} to {VhdConstants.MaxBlockSize}");
        long blockSize = h.BlockSize;
        long entries = h.MaxTableEntries;
        if (entries * blockSize < VirtualSize)
            throw new VhdFormatException("max table entries", $"{entries} entries of {blockSize} bytes cover {entries * blockSize} bytes, less than the virtual size {VirtualSize}");
        if (entries * blockSize > 2 * VhdConstants.MaxDynamicSize)
            throw new VhdFormatException("max table entries", $"{entries} entries of {blockSize} bytes describe {entries * blockSize} bytes, over the limit of {2 * VhdConstants.MaxDynamicSize}");
        if (entries * 4 > FileLength)
            throw new VhdFormatException("max table entries", $"{entries} entries need a {entries * 4}-byte BAT, larger than the file ({FileLength} bytes)");
        if (truncated)
            throw dataOffsetError;
        if (!h.HasValidChecksum)
        {
            if (!_acceptChecksumMismatch)
                throw new VhdFormatException("dynamic header checksum", $"0x{h.Checksum:x8} does not match the computed 0x{h.ComputeChecksum():x8}");
            Warnings.Add($"dynamic header checksum 0x{h.Checksum:x8} does not match the computed 0x{h.ComputeChecksum():x8} (accepted as the open options ask)");
        }
        if (h.HeaderVersion >> 16 != 1)
            throw new VhdFormatException("dynamic header version", $"0x{h.HeaderVersion:x8} is not supported (major version must be 1)");
        if (f.DiskType == DiskType.Dynamic && h.ParentUniqueId != Guid.Empty)
            Warnings.Add($"dynamic image carries parent unique id {h.ParentUniqueId:N}");
        Header = h;
        long batBytes = BlockAllocationTable.BytesOnDisk(entries);
        if (h.TableOffset < VhdConstants.FooterSize || h.TableOffset > (ulong)limit || (long)h.TableOffset + entries * 4 > limit)
            throw new VhdFormatException("table offset", $"BAT at {(long)h.TableOffset} with {entries * 4} bytes does not fit between 512 and {limit} (file length {FileLength})");
        if (h.TableOffset % VhdConstants.SectorSize != 0)
            throw new VhdFormatException("table offset", $"{h.TableOffset} is not a multiple of {VhdConstants.SectorSize}");
        long tableOffset = (long)h.TableOffset;

        MetadataRegions.Add(new Region(0, VhdConstants.FooterSize, "footer copy"));
        MetadataRegions.Add(new Region(headerOffset, headerOffset + VhdConstants.DynamicHeaderSize, "dynamic header"));
        MetadataRegions.Add(new Region(tableOffset, tableOffset + batBytes, "BAT"));
        var locators = h.ParentLocators.Span;
        for (int i = 0; i < locators.Length; i++)
        {
            var l = locators[i];
            // A locator with no data has nothing to read and occupies no space, so its offset is not
            // validated: otherwise a repair that truncates leaked tail space could make it "past the end".
            if (l.IsEmpty || l.PlatformDataLength == 0) continue;
            if (l.PlatformDataLength > VhdConstants.MaxLocatorLength)
                throw new VhdFormatException($"parent locator {i} data length", $"{l.PlatformDataLength} exceeds the limit of {VhdConstants.MaxLocatorLength}");
            if (l.PlatformDataOffset > (ulong)limit || (long)l.PlatformDataOffset + l.PlatformDataLength > limit)
                throw new VhdFormatException($"parent locator {i} data offset", $"{l.PlatformDataOffset} + {l.PlatformDataLength} bytes lies past {limit} (file length {FileLength})");
            long start = (long)l.PlatformDataOffset;
            long endAligned = (start + l.PlatformDataLength + VhdConstants.SectorSize - 1) / VhdConstants.SectorSize * VhdConstants.SectorSize;
            MetadataRegions.Add(new Region(start, endAligned, $"parent locator {i}"));
        }
        CheckMetadataOverlaps();
        MetadataEnd = MetadataRegions.Max(r => r.End);
        if (endOffset >= 0 && endOffset < MetadataEnd)
            throw new VhdFormatException("footer", $"end footer at {endOffset} overlaps metadata ending at {MetadataEnd}");

        var bat = ReadTable(file, tableOffset, (int)entries);
        Bat = bat;
        ValidateBlocks(bat, blockSize, limit);
        FooterOffset = endOffset >= 0
            ? endOffset
            : Math.Max(Math.Max(FileLength / VhdConstants.SectorSize * VhdConstants.SectorSize - VhdConstants.FooterSize, MetadataEnd), BlocksEnd);
    }

    /// <summary>Reads the BAT of <paramref name="entries"/> entries at <paramref name="offset"/> (checked to lie in the file), a chunk at a time.</summary>
    private static BlockAllocationTable ReadTable(BlockFile file, long offset, int entries)
    {
        var table = new uint[entries];
        int bytes = checked(entries * 4);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Min(bytes, 1 << 20));
        try
        {
            for (int done = 0; done < bytes;)
            {
                int n = Math.Min(bytes - done, buffer.Length);
                file.ReadAt(offset + done, buffer.AsSpan(0, n));
                BlockAllocationTable.Decode(buffer.AsSpan(0, n), table.AsSpan(done / 4, n / 4));
                done += n;
            }
        }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
        return new BlockAllocationTable(table);
    }

    private void CheckMetadataOverlaps()
    {
        var sorted = MetadataRegions.OrderBy(r => r.Start).ToList();
        for (int i = 1; i < sorted.Count; i++)
            if (sorted[i].Start < sorted[i - 1].End)
                throw new VhdFormatException(sorted[i].Name, $"at {sorted[i].Start} overlaps the {sorted[i - 1].Name} ({sorted[i - 1].Start}..{sorted[i - 1].End})");
    }

    private void ValidateBlocks(BlockAllocationTable bat, long blockSize, long limit)
    {
        int bitmap = VhdConstants.BitmapBytes(blockSize);
        var entries = bat.Entries;
        var blocks = new List<(long Start, long End, int Index)>();
        for (int i = 0; i < entries.Length; i++)
        {
            uint e = entries[i];
            if (e == VhdConstants.UnallocatedEntry) continue;
            long start = (long)e * VhdConstants.SectorSize;
            // A last block that the virtual size ends inside needs only its used part in the file,
            // in whole sectors: differencing writes always write whole sectors.
            long used = Math.Min(blockSize, Math.Max(0, VirtualSize - i * blockSize));
            used = (used + VhdConstants.SectorSize - 1) / VhdConstants.SectorSize * VhdConstants.SectorSize;
            long end = start + bitmap + used;
            if (end > limit)
                throw new VhdFormatException($"BAT entry {i}", $"block at sector {e} (bytes {start}..{end}) extends past {limit} (file length {FileLength})");
            blocks.Add((start, end, i));
        }
        if (blocks.Count == 0) { BlocksEnd = 0; return; }
        blocks.Sort((a, b) => a.Start.CompareTo(b.Start));
        var meta = MetadataRegions.OrderBy(r => r.Start).ToList();
        int m = 0;
        for (int k = 0; k < blocks.Count; k++)
        {
            var b = blocks[k];
            if (k > 0 && b.Start < blocks[k - 1].End)
            {
                var p = blocks[k - 1];
                throw new VhdFormatException($"BAT entry {b.Index}", $"block at sector {b.Start / VhdConstants.SectorSize} overlaps block {p.Index} at sector {p.Start / VhdConstants.SectorSize}");
            }
            while (m < meta.Count && meta[m].End <= b.Start) m++;
            for (int j = m; j < meta.Count && meta[j].Start < b.End; j++)
                if (meta[j].End > b.Start)
                    throw new VhdFormatException($"BAT entry {b.Index}", $"block at sector {b.Start / VhdConstants.SectorSize} overlaps the {meta[j].Name} ({meta[j].Start}..{meta[j].End})");
        }
        BlocksEnd = blocks.Max(b => b.End);
    }

    /// <summary>Where the first block goes in an image with no blocks: 4 KiB-aligned block data after the metadata.</summary>
    public static long FirstBlockOffset(long metadataEnd, int bitmapBytes) =>
        (metadataEnd + bitmapBytes + 4095) / 4096 * 4096 - bitmapBytes;

    private static string Printable(ReadOnlySpan<byte> b)
    {
        var chars = new char[b.Length];
        for (int i = 0; i < b.Length; i++) chars[i] = b[i] is >= 0x20 and < 0x7F ? (char)b[i] : '.';
        return new string(chars);
    }
}
