using Storage.VhdEngine.Format;

namespace Storage.VhdEngine.Disks;

/// <summary>
/// The validated metadata of an image: which footer counts, where the end footer is, the
/// dynamic header, the BAT and the file regions metadata occupies. Every field that sizes an
/// allocation or a file offset is checked against the file's real length before it is used
/// (DESIGN.md §3). Loading never writes.
/// </summary>
internal sealed partial class ImageMetadata
{
    /// <summary>A region of the file that belongs to metadata or to a block.</summary>
    public readonly record struct Region(long Start, long End, string Name);

    private ImageMetadata(string path, VhdFooter footer, long fileLength)
    {
        Path = path;
        Footer = footer;
        FileLength = fileLength;
    }

    private bool _acceptChecksumMismatch;

    /// <summary>Full path of the image file (every format error names it).</summary>
    public string Path { get; }
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
            throw new VhdFormatException(file.Path, "file length", $"{len} bytes is smaller than a footer ({VhdConstants.FooterSize - 1} bytes at least)");

        // The three places a footer may be, read once; a lax second look (when asked) only
        // changes which of them count.
        VhdFooter? atEnd = len >= VhdConstants.FooterSize ? ReadFooterAt(file, len - VhdConstants.FooterSize, VhdConstants.FooterSize) : null;
        // Older Virtual PC wrote a 511-byte footer.
        VhdFooter atEnd511 = ReadFooterAt(file, len - (VhdConstants.FooterSize - 1), VhdConstants.FooterSize - 1);
        VhdFooter atStart = ReadFooterAt(file, 0, VhdConstants.FooterSize);
        var (end, endOffset, copy) = PickFooters(atEnd, atEnd511, atStart, len, lax: false);
        if (end is null && copy is null && acceptChecksumMismatch)
            (end, endOffset, copy) = PickFooters(atEnd, atEnd511, atStart, len, lax: true);
        else if (end is null && copy is null)
            ThrowIfOnlyTheChecksumIsWrong(file.Path, atEnd, atEnd511, atStart);

        var (footer, state) = FooterInForce(file, len, end, copy);
        var m = new ImageMetadata(file.Path, footer, len) { EndFooterState = state, FooterCopy = copy, _acceptChecksumMismatch = acceptChecksumMismatch };
        m.WarnAboutFooters(endOffset);
        m.Validate(file, endOffset);
        return m;
    }

    /// <summary>
    /// The end footer (a 512-byte one before a 511-byte one) and the copy at offset 0 that count:
    /// a valid cookie, and unless <paramref name="lax"/> a valid checksum; the copy only of a
    /// dynamic or differencing image, and only in a file that can hold two footers.
    /// </summary>
    private static (VhdFooter? End, long EndOffset, VhdFooter? Copy) PickFooters(VhdFooter? atEnd, VhdFooter atEnd511, VhdFooter atStart, long len, bool lax)
    {
        bool Acceptable(VhdFooter? f) => f is not null && f.HasValidCookie && (lax || f.HasValidChecksum);
        VhdFooter? end = null;
        long endOffset = -1;
        if (Acceptable(atEnd)) { end = atEnd; endOffset = len - VhdConstants.FooterSize; }
        else if (Acceptable(atEnd511)) { end = atEnd511; endOffset = len - (VhdConstants.FooterSize - 1); }
        // In a file of fewer than two footers, offset 0 is the end footer itself, not a copy.
        bool copyPossible = len >= VhdConstants.FooterSize * 2 || end is null;
        VhdFooter? copy = copyPossible && Acceptable(atStart) && atStart.DiskType is VhdDiskType.Dynamic or VhdDiskType.Differencing ? atStart : null;
        return (end, endOffset, copy);
    }

    /// <summary>A footer that is one but for its checksum: say so, naming both values, not "no valid footer".</summary>
    private static void ThrowIfOnlyTheChecksumIsWrong(string path, VhdFooter? atEnd, VhdFooter atEnd511, VhdFooter atStart)
    {
        var bad = atEnd is { HasValidCookie: true } ? atEnd : atEnd511.HasValidCookie ? atEnd511
            : atStart is { HasValidCookie: true, DiskType: VhdDiskType.Dynamic or VhdDiskType.Differencing } ? atStart : null;
        if (bad is not null)
            throw new VhdFormatException(path, "footer checksum", $"0x{bad.Checksum:x8} does not match the computed 0x{bad.ComputeChecksum():x8}");
    }

    /// <summary>
    /// Which footer counts: a fixed image's end footer, or an end footer with no copy; otherwise
    /// the copy, and the end footer is valid (equal to it), stale or missing. Neither is an error.
    /// </summary>
    private static (VhdFooter Footer, EndFooterState State) FooterInForce(BlockFile file, long len, VhdFooter? end, VhdFooter? copy)
    {
        if (end is not null && (end.DiskType == VhdDiskType.Fixed || copy is null))
            return (end, EndFooterState.Valid);
        if (copy is not null)
            return (copy, end is null ? EndFooterState.Missing : end.Equals(copy) ? EndFooterState.Valid : EndFooterState.Stale);
        Span<byte> tail = stackalloc byte[8];
        file.ReadAt(Math.Max(0, len - VhdConstants.FooterSize), tail); // a 511-byte file has no 512-byte tail
        throw new VhdFormatException(file.Path, "footer", $"no valid footer: cookie at the end is '{Printable(tail)}' (expected 'conectix' with a valid checksum) and offset 0 holds no dynamic footer copy");
    }

    /// <summary>What about the footers is worth a warning without refusing the image.</summary>
    private void WarnAboutFooters(long endOffset)
    {
        var footer = Footer;
        if (!footer.HasValidChecksum) Warnings.Add($"footer checksum 0x{footer.Checksum:x8} does not match the computed 0x{footer.ComputeChecksum():x8} (accepted as the open options ask)");
        if (EndFooterState == EndFooterState.Stale) Warnings.Add("end footer differs from the copy at offset 0 (stale); the copy is used");
        if (EndFooterState == EndFooterState.Missing) Warnings.Add("no valid footer at the end of the file; the copy at offset 0 is used");
        // Told by where the file ends, not by alignment: old Virtual PC's 511-byte footer follows
        // whole sectors. (No end footer, -1, never matches: a file has 511 bytes at least.)
        if (endOffset == FileLength - (VhdConstants.FooterSize - 1)) Warnings.Add($"end footer at {endOffset} is a 511-byte footer");
        if ((footer.Features & VhdConstants.FeatureReserved) == 0) Warnings.Add($"footer features 0x{footer.Features:x8} lack the reserved bit 0x2");
    }

    /// <summary>Decodes the footer of <paramref name="length"/> bytes at <paramref name="offset"/> (a 511-byte one zero-padded).</summary>
    private static VhdFooter ReadFooterAt(BlockFile file, long offset, int length)
    {
        Span<byte> buf = stackalloc byte[VhdConstants.FooterSize];
        buf.Clear();
        file.ReadAt(offset, buf[..length]);
        return VhdFooter.Read(buf);
    }

    /// <summary>Where the first block goes in an image with no blocks: 4 KiB-aligned block data after the metadata.</summary>
    public static long FirstBlockOffset(long metadataEnd, int bitmapBytes) =>
        (metadataEnd + bitmapBytes + 4095) / 4096 * 4096 - bitmapBytes;

    /// <summary>A format error about this image's <paramref name="field"/>.</summary>
    private VhdFormatException Bad(string field, string message) => new(Path, field, message);

    private static string Printable(ReadOnlySpan<byte> b)
    {
        var chars = new char[b.Length];
        for (int i = 0; i < b.Length; i++) chars[i] = b[i] is >= 0x20 and < 0x7F ? (char)b[i] : '.';
        return new string(chars);
    }
}
