using System.IO.Abstractions;
using Storage.VhdEngine.Format;

namespace Storage.VhdEngine.Disks;

/// <summary>
/// A differencing image: a dynamic image whose unallocated blocks, and sectors whose bitmap bit
/// is clear, read from its parent. Writes set exactly the written sectors' bits; the bits reach
/// the file only after the data (DESIGN.md §4). The parent is opened read-only and shared.
/// </summary>
public sealed class DifferencingDisk : DynamicDisk
{
    private readonly VirtualDisk _parent;
    private bool _released;

    private DifferencingDisk(IFileSystem fs, string path, BlockFile file, ImageMetadata metadata, VhdOpenOptions options, VirtualDisk parent)
        : base(fs, path, file, metadata, options) => _parent = parent;

    /// <summary>The parent image (shared, read-only; do not dispose it).</summary>
    public override VirtualDisk Parent => _parent;

    /// <summary>The parent path that was resolved, as opened.</summary>
    public string ParentPath => _parent.Path;

    private protected override bool TracksSectors => true;

    private protected override void ReadBelow(long offset, Span<byte> buffer)
    {
        long parentLength = _parent.Length;
        if (offset >= parentLength) { buffer.Clear(); return; }
        int inParent = (int)Math.Min(buffer.Length, parentLength - offset);
        _parent.Read(offset, buffer[..inParent]);
        buffer[inParent..].Clear();
    }

    private protected override bool BelowMayContainData(long offset, long length)
    {
        long parentLength = _parent.Length;
        if (offset >= parentLength) return false;
        return _parent.MayContainData(offset, Math.Min(length, parentLength - offset));
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
                throw new VhdFormatException("parent unique id", $"'{fullPath}' expects parent id {header.ParentUniqueId:N} but '{parentPath}' has id {parent.Footer.UniqueId:N}");
            return new DifferencingDisk(fs, fullPath, file, metadata, options, parent);
        }
        catch
        {
            ParentCache.Release(parent);
            throw;
        }
    }
}
