using System.Buffers;
using Storage.VhdEngine.Format;

namespace Storage.VhdEngine.Disks;

/// <summary>
/// The checks of DESIGN.md §3, one rule a step, in the order a hostile image meets them: every
/// field that sizes an allocation or a file offset is bounded by the file's real length before it
/// is used, and the first rule broken is named in a <see cref="VhdFormatException"/>.
/// </summary>
internal sealed partial class ImageMetadata
{
    private void Validate(BlockFile file, long endOffset)
    {
        ulong virtualSize = CheckFooterFields();
        if (Footer.DiskType == VhdDiskType.Fixed)
        {
            CheckFixedSize(virtualSize, endOffset);
            return;
        }
        CheckDynamicSize(virtualSize);
        // Where the end footer is, or where a read-write open puts it back.
        long limit = endOffset >= 0 ? endOffset : FileLength;
        var header = LoadHeader(file, limit);
        long tableOffset = CheckTableOffset(header, limit);
        AddMetadataRegions(header, tableOffset, limit);
        CheckMetadataOverlaps();
        MetadataEnd = MetadataRegions.Max(r => r.End);
        if (endOffset >= 0 && endOffset < MetadataEnd)
            throw Bad("footer", $"end footer at {endOffset} overlaps metadata ending at {MetadataEnd}");

        // Bounded by CheckTableEntries: the count fits an int.
        Bat = ReadTable(file, tableOffset, checked((int)header.MaxTableEntries));
        CheckBlocks(Bat, header.BlockSize, limit);
        FooterOffset = endOffset >= 0
            ? endOffset
            : Math.Max(Math.Max(FileLength / VhdConstants.SectorSize * VhdConstants.SectorSize - VhdConstants.FooterSize, MetadataEnd), BlocksEnd);
    }

    /// <summary>Rule: format version 1.x and a known disk type. Returns the virtual size the footer gives.</summary>
    private ulong CheckFooterFields()
    {
        var f = Footer;
        if (f.FormatVersion >> 16 != 1)
            throw Bad("footer format version", $"0x{f.FormatVersion:x8} is not supported (major version must be 1)");
        if (f.DiskType is not (VhdDiskType.Fixed or VhdDiskType.Dynamic or VhdDiskType.Differencing))
            throw Bad("footer disk type", $"{(uint)f.DiskType} is not fixed (2), dynamic (3) or differencing (4)");
        return VirtualSizeRule.VirtualSize(f);
    }

    /// <summary>Rule: a fixed image's data (everything before the end footer) holds the virtual size.</summary>
    private void CheckFixedSize(ulong virtualSize, long endOffset)
    {
        long dataEnd = endOffset >= 0 ? endOffset : FileLength - VhdConstants.FooterSize;
        if (virtualSize > (ulong)dataEnd)
            throw Bad("footer current size", $"{virtualSize} bytes exceeds the {dataEnd} data bytes a fixed image of {FileLength} bytes holds");
        VirtualSize = (long)virtualSize;
        FooterOffset = dataEnd;
    }

    /// <summary>Rule: a dynamic image is at most 2040 GiB.</summary>
    private void CheckDynamicSize(ulong virtualSize)
    {
        if (virtualSize > VhdConstants.MaxDynamicSize)
            throw Bad("footer current size", $"{virtualSize} bytes exceeds the limit of {VhdConstants.MaxDynamicSize} bytes (2040 GiB)");
        VirtualSize = (long)virtualSize;
    }

    /// <summary>
    /// Reads the dynamic header and checks it: its sizing fields first, then whether all of it is
    /// in the file, then its checksum and version.
    /// </summary>
    private DynamicHeader LoadHeader(BlockFile file, long limit)
    {
        var h = ReadHeader(file, limit, out bool truncated);
        CheckBlockSize(h);
        CheckTableEntries(h);
        if (truncated)
            throw DataOffsetError(limit);
        CheckHeaderChecksum(h);
        if (h.HeaderVersion >> 16 != 1)
            throw Bad("dynamic header version", $"0x{h.HeaderVersion:x8} is not supported (major version must be 1)");
        if (Footer.DiskType == VhdDiskType.Dynamic && h.ParentUniqueId != Guid.Empty)
            Warnings.Add($"dynamic image carries parent unique id {h.ParentUniqueId:N}");
        Header = h;
        return h;
    }

    /// <summary>
    /// Rule: the footer's data offset places the header after the footer copy and before the end
    /// footer, and the header's cookie is "cxsparse". A header cut short by the end of the file (a
    /// fuzzed or truncated image) is read zero-padded: if its cookie is there, its sizing fields
    /// are named before the truncation (DESIGN.md §3, hostile/afl5.img).
    /// </summary>
    private DynamicHeader ReadHeader(BlockFile file, long limit, out bool truncated)
    {
        var f = Footer;
        if (f.DataOffset < VhdConstants.FooterSize || f.DataOffset >= (ulong)limit)
            throw DataOffsetError(limit);
        long headerOffset = (long)f.DataOffset;
        truncated = headerOffset > limit - VhdConstants.DynamicHeaderSize;
        var hb = new byte[VhdConstants.DynamicHeaderSize];
        file.ReadAt(headerOffset, hb.AsSpan(0, (int)Math.Min(VhdConstants.DynamicHeaderSize, limit - headerOffset)));
        var h = DynamicHeader.Read(hb);
        if (h.HasValidCookie) return h;
        if (truncated) throw DataOffsetError(limit);
        throw Bad("dynamic header cookie", $"'{Printable(hb.AsSpan(0, 8))}' at offset {headerOffset}, expected 'cxsparse'");
    }

    private VhdFormatException DataOffsetError(long limit) =>
        Bad("footer data offset", $"{(long)Footer.DataOffset} places the 1024-byte dynamic header outside [512, {limit - VhdConstants.DynamicHeaderSize}] (file length {FileLength})");

    /// <summary>Rule: the block size is a power of two from 512 B to 256 MiB.</summary>
    private void CheckBlockSize(DynamicHeader h)
    {
        if (h.BlockSize < VhdConstants.MinBlockSize || h.BlockSize > VhdConstants.MaxBlockSize || (h.BlockSize & (h.BlockSize - 1)) != 0)
            throw Bad("block size", $"{h.BlockSize} is not a power of two from {VhdConstants.MinBlockSize} to {VhdConstants.MaxBlockSize}");
    }

    /// <summary>
    /// Rule: max table entries cover the virtual size, are bounded (at most <see cref="VhdConstants.MaxTableEntries"/>,
    /// qemu's limit: the table is held in memory, indexed by int), and their BAT is no larger than the file.
    /// </summary>
    private void CheckTableEntries(DynamicHeader h)
    {
        long blockSize = h.BlockSize;
        long entries = h.MaxTableEntries;
        if (entries * blockSize < VirtualSize)
            throw Bad("max table entries", $"{entries} entries of {blockSize} bytes cover {entries * blockSize} bytes, less than the virtual size {VirtualSize}");
        if (entries > VhdConstants.MaxTableEntries)
            throw Bad("max table entries", $"{entries} exceeds the limit of {VhdConstants.MaxTableEntries} entries (a {VhdConstants.MaxTableEntries * 4L}-byte table)");
        if (entries * blockSize > 2 * VhdConstants.MaxDynamicSize)
            throw Bad("max table entries", $"{entries} entries of {blockSize} bytes describe {entries * blockSize} bytes, over the limit of {2 * VhdConstants.MaxDynamicSize}");
        if (entries * 4 > FileLength)
            throw Bad("max table entries", $"{entries} entries need a {entries * 4}-byte BAT, larger than the file ({FileLength} bytes)");
    }

    /// <summary>Rule: the header checksum matches, unless the open options accept a mismatch (then it is a warning).</summary>
    private void CheckHeaderChecksum(DynamicHeader h)
    {
        if (h.HasValidChecksum) return;
        if (!_acceptChecksumMismatch)
            throw Bad("dynamic header checksum", $"0x{h.Checksum:x8} does not match the computed 0x{h.ComputeChecksum():x8}");
        Warnings.Add($"dynamic header checksum 0x{h.Checksum:x8} does not match the computed 0x{h.ComputeChecksum():x8} (accepted as the open options ask)");
    }

    /// <summary>Rule: the BAT lies between the footer copy and the end footer, sector-aligned. Returns its offset.</summary>
    private long CheckTableOffset(DynamicHeader h, long limit)
    {
        long entries = h.MaxTableEntries;
        if (h.TableOffset < VhdConstants.FooterSize || h.TableOffset > (ulong)limit || (long)h.TableOffset + entries * 4 > limit)
            throw Bad("table offset", $"BAT at {(long)h.TableOffset} with {entries * 4} bytes does not fit between 512 and {limit} (file length {FileLength})");
        if (h.TableOffset % VhdConstants.SectorSize != 0)
            throw Bad("table offset", $"{h.TableOffset} is not a multiple of {VhdConstants.SectorSize}");
        return (long)h.TableOffset;
    }

    /// <summary>Records the footer copy, the header, the BAT and each locator's data as metadata regions.</summary>
    private void AddMetadataRegions(DynamicHeader h, long tableOffset, long limit)
    {
        long headerOffset = (long)Footer.DataOffset;
        MetadataRegions.Add(new Region(0, VhdConstants.FooterSize, "footer copy"));
        MetadataRegions.Add(new Region(headerOffset, headerOffset + VhdConstants.DynamicHeaderSize, "dynamic header"));
        MetadataRegions.Add(new Region(tableOffset, tableOffset + BlockAllocationTable.BytesOnDisk(h.MaxTableEntries), "BAT"));
        var locators = h.ParentLocators.Span;
        for (int i = 0; i < locators.Length; i++)
        {
            // A locator with no data has nothing to read and occupies no space, so its offset is not
            // validated: otherwise a repair that truncates leaked tail space could make it "past the end".
            if (locators[i].IsEmpty || locators[i].PlatformDataLength == 0) continue;
            MetadataRegions.Add(LocatorRegion(locators[i], i, limit));
        }
    }

    /// <summary>Rule: a locator's data is bounded and lies before the end footer.</summary>
    private Region LocatorRegion(ParentLocator l, int i, long limit)
    {
        if (l.PlatformDataLength > VhdConstants.MaxLocatorLength)
            throw Bad($"parent locator {i} data length", $"{l.PlatformDataLength} exceeds the limit of {VhdConstants.MaxLocatorLength}");
        if (l.PlatformDataOffset > (ulong)limit || (long)l.PlatformDataOffset + l.PlatformDataLength > limit)
            throw Bad($"parent locator {i} data offset", $"{l.PlatformDataOffset} + {l.PlatformDataLength} bytes lies past {limit} (file length {FileLength})");
        long start = (long)l.PlatformDataOffset;
        long endAligned = (start + l.PlatformDataLength + VhdConstants.SectorSize - 1) / VhdConstants.SectorSize * VhdConstants.SectorSize;
        return new Region(start, endAligned, $"parent locator {i}");
    }

    /// <summary>Rule: no two metadata regions overlap.</summary>
    private void CheckMetadataOverlaps()
    {
        var sorted = MetadataRegions.OrderBy(r => r.Start).ToList();
        for (int i = 1; i < sorted.Count; i++)
            if (sorted[i].Start < sorted[i - 1].End)
                throw Bad(sorted[i].Name, $"at {sorted[i].Start} overlaps the {sorted[i - 1].Name} ({sorted[i - 1].Start}..{sorted[i - 1].End})");
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

    /// <summary>Rules: every allocated block lies before the end footer, and overlaps neither metadata nor another block.</summary>
    private void CheckBlocks(BlockAllocationTable bat, long blockSize, long limit)
    {
        var blocks = BlockExtents(bat, blockSize, limit);
        if (blocks.Count == 0) { BlocksEnd = 0; return; }
        blocks.Sort((a, b) => a.Start.CompareTo(b.Start));
        CheckBlockOverlaps(blocks);
        BlocksEnd = blocks.Max(b => b.End);
    }

    /// <summary>The file extent of each allocated block: its bitmap and the data it uses, checked to end before <paramref name="limit"/>.</summary>
    private List<(long Start, long End, int Index)> BlockExtents(BlockAllocationTable bat, long blockSize, long limit)
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
                throw Bad($"BAT entry {i}", $"block at sector {e} (bytes {start}..{end}) extends past {limit} (file length {FileLength})");
            blocks.Add((start, end, i));
        }
        return blocks;
    }

    /// <summary>Checks blocks sorted by start against each other and against the metadata regions.</summary>
    private void CheckBlockOverlaps(List<(long Start, long End, int Index)> blocks)
    {
        var meta = MetadataRegions.OrderBy(r => r.Start).ToList();
        int m = 0;
        for (int k = 0; k < blocks.Count; k++)
        {
            var b = blocks[k];
            if (k > 0 && b.Start < blocks[k - 1].End)
            {
                var p = blocks[k - 1];
                throw Bad($"BAT entry {b.Index}", $"block at sector {b.Start / VhdConstants.SectorSize} overlaps block {p.Index} at sector {p.Start / VhdConstants.SectorSize}");
            }
            while (m < meta.Count && meta[m].End <= b.Start) m++;
            for (int j = m; j < meta.Count && meta[j].Start < b.End; j++)
                if (meta[j].End > b.Start)
                    throw Bad($"BAT entry {b.Index}", $"block at sector {b.Start / VhdConstants.SectorSize} overlaps the {meta[j].Name} ({meta[j].Start}..{meta[j].End})");
        }
    }
}
