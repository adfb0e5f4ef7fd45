using System.IO.Abstractions;
using System.Runtime.CompilerServices;

namespace Storage.VhdEngine.Disks;

/// <summary>
/// Read-only parents shared by every child opened in this process on the same file system:
/// reference counted, closed when the last child closes.
/// </summary>
internal static class ParentCache
{
    private sealed class Entry(VirtualDisk disk, int depth)
    {
        public VirtualDisk Disk { get; } = disk;
        public int Depth { get; } = depth;
        public int References { get; set; } = 1;
    }

    private static readonly ConditionalWeakTable<IFileSystem, Dictionary<string, Entry>> Caches = new();
    private static readonly Dictionary<VirtualDisk, (IFileSystem Fs, Entry Entry)> ByDisk = new(ReferenceEqualityComparer.Instance);
    private static readonly object Lock = new();

    /// <summary>Opens <paramref name="path"/> read-only or returns the shared instance.</summary>
    public static VirtualDisk Acquire(IFileSystem fs, string path, VhdOpenOptions options, ChainContext chain)
    {
        // Not counted: Release of a disk this cache did not open does nothing, and its owner closes it.
        if (chain.ProvidedParent is { } provided && provided.Path == path) return provided;
        lock (Lock)
        {
            var cache = Caches.GetOrCreateValue(fs);
            // Only share a parent whose chain was resolved under the same options (allowed root...).
            if (options.ShareParents && cache.TryGetValue(path, out var found)
                && found.Disk.Options with { MaxChainDepth = options.MaxChainDepth } == options)
            {
                if (chain.Paths.Count + found.Depth > options.MaxChainDepth)
                    throw new VhdFormatException(path, "parent chain", $"depth exceeds the limit of {options.MaxChainDepth} images at '{path}'");
                found.References++;
                return found.Disk;
            }
            // Opening the parent may recurse into Acquire for its own parent: the lock is re-entrant.
            var disk = VirtualDisk.OpenInChain(fs, path, writable: false, options, chain);
            int depth = disk.Chain.Count;
            var entry = new Entry(disk, depth);
            if (options.ShareParents) cache.TryAdd(path, entry);
            ByDisk[disk] = (fs, entry);
            return disk;
        }
    }

    /// <summary>Drops one reference; closes the parent when none remain.</summary>
    public static void Release(VirtualDisk disk)
    {
        VirtualDisk? toClose = null;
        lock (Lock)
        {
            if (!ByDisk.TryGetValue(disk, out var e)) return;
            if (--e.Entry.References > 0) return;
            ByDisk.Remove(disk);
            if (Caches.TryGetValue(e.Fs, out var cache) && cache.TryGetValue(disk.Path, out var cur) && ReferenceEquals(cur, e.Entry))
                cache.Remove(disk.Path);
            toClose = disk;
        }
        toClose?.Dispose();
    }

    /// <summary>True if <paramref name="path"/> is open as a shared parent on <paramref name="fs"/>.</summary>
    public static bool IsOpenAsParent(IFileSystem fs, string path)
    {
        lock (Lock) return Caches.TryGetValue(fs, out var cache) && cache.ContainsKey(path);
    }
}
