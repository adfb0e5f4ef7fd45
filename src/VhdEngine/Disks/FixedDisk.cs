using System.IO.Abstractions;

namespace Storage.VhdEngine.Disks;

/// <summary>A fixed image: the virtual disk's bytes, then the footer.</summary>
public sealed class FixedDisk : VirtualDisk
{
    private bool _unsynced;

    internal FixedDisk(IFileSystem fs, string path, BlockFile file, ImageMetadata metadata, VhdOpenOptions options)
        : base(fs, path, file, metadata, options) =>
        // As for SparseDisk: the first flush of a writable session always fsyncs, so writes an
        // earlier session left unflushed (and this one reads) are durable when it returns.
        _unsynced = file.CanWrite;

    private protected override void ReadCore(long offset, Span<byte> buffer) => File.ReadAt(offset, buffer);

    private protected override void WriteCore(long offset, ReadOnlySpan<byte> data)
    {
        File.WriteAt(offset, data);
        _unsynced = true;
    }

    private protected override void FlushCore(bool durable)
    {
        // A fixed image has no metadata to write: only durability is left to do.
        if (!_unsynced || !durable) return;
        File.Sync();
        _unsynced = false;
    }
}
