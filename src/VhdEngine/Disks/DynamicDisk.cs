using System.IO.Abstractions;

namespace Storage.VhdEngine.Disks;

/// <summary>
/// A dynamic image: footer copy, dynamic header, BAT, then blocks (sector bitmap + data) and the
/// end footer. An allocated block's data is the disk's, whole: its bitmap is written all ones and
/// not consulted on read (as qemu and Hyper-V do). An unallocated block reads as zeros, and the
/// first write into it allocates it (<see cref="SparseDisk"/>).
/// </summary>
internal sealed class DynamicDisk : SparseDisk
{
    private readonly byte[] _fullBitmap;

    internal DynamicDisk(IFileSystem fs, string path, BlockFile file, ImageMetadata metadata, VhdOpenOptions options)
        : base(fs, path, file, metadata, options)
    {
        _fullBitmap = new byte[BitmapBytes];
        _fullBitmap.AsSpan().Fill(0xFF);
    }

    private protected override void ReadBlock(long block, int inBlock, Span<byte> buffer)
    {
        if (IsAllocated(block)) File.ReadAt(DataOffset(block) + inBlock, buffer);
        else buffer.Clear();
    }

    private protected override void WriteBlock(long block, int inBlock, ReadOnlySpan<byte> data)
    {
        if (IsAllocated(block)) File.WriteAt(DataOffset(block) + inBlock, data);
        else Allocate(block, _fullBitmap, inBlock, data);
    }

    private protected override bool WritesInPlace(long block, int inBlock, int length) => IsAllocated(block);

    private protected override bool BlockMayContainData(long block, long offset, int length) => IsAllocated(block);

    /// <summary>Whole blocks the range covers are freed; the rest of it is zeroed where a block is allocated.</summary>
    private protected override void DiscardCore(long offset, long length)
    {
        for (long end = offset + length; offset < end;)
        {
            long block = offset / BlockBytes;
            long blockStart = block * BlockBytes;
            long n = Math.Min(blockStart + BlockBytes, end) - offset;
            bool whole = offset == blockStart && (n == BlockBytes || offset + n == Length);
            if (IsAllocated(block))
            {
                if (whole) Free(block);
                else WriteZeros(offset, n);
            }
            offset += n;
        }
    }

    private protected override void AddOwnRanges(long block, long blockStart, int length, List<(long Offset, long Length)> ranges) =>
        ranges.Add((blockStart, length));
}
