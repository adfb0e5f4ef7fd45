using System.IO.Abstractions;

namespace Storage.VhdEngine.Disks;

/// <summary>A fixed image: the virtual disk's bytes, then the footer. Every write is in place.</summary>
internal sealed class FixedDisk : VirtualDisk
{
    internal FixedDisk(IFileSystem fs, string path, BlockFile file, ImageMetadata metadata, VhdOpenOptions options)
        : base(fs, path, file, metadata, options)
    {
    }

    private protected override void ReadCore(long offset, Span<byte> buffer) => File.ReadAt(offset, buffer);

    private protected override bool WriteInPlaceCore(long offset, ReadOnlySpan<byte> data)
    {
        File.WriteAt(offset, data);
        return true;
    }

    private protected override void WriteCore(long offset, ReadOnlySpan<byte> data) => File.WriteAt(offset, data);

    private protected override void FlushCore(bool durable)
    {
        // A fixed image has no metadata to write: only durability is left to do.
        if (!durable || !NeedsSync(out long writes)) return;
        File.Sync();
        MarkSynced(writes);
    }
}
