using System.IO.Abstractions;

namespace Storage.VhdEngine.Disks;

/// <summary>
/// The differencing images open in this process, so that an operation that writes a parent can
/// name every open child of it (DESIGN.md §10), whichever folder the child lives in.
/// </summary>
internal static class OpenChildren
{
    private static readonly Lock Gate = new();
    private static readonly HashSet<VirtualDisk> Open = new(ReferenceEqualityComparer.Instance);

    public static void Add(VirtualDisk child)
    {
        lock (Gate) Open.Add(child);
    }

    public static void Remove(VirtualDisk child)
    {
        lock (Gate) Open.Remove(child);
    }

    /// <summary>Full paths of the images open on <paramref name="fs"/> whose parent is <paramref name="parentPath"/>.</summary>
    public static List<string> Of(IFileSystem fs, string parentPath)
    {
        lock (Gate)
        {
            return Open
                .Where(d => d.Parent?.Path == parentPath && SameFiles(d.FileSystem, fs))
                .Select(d => d.Path)
                .Distinct(StringComparer.Ordinal)
                .ToList();
        }
    }

    /// <summary>
    /// True when two file system objects show the same files: the same instance, or two instances
    /// of the real file system (the wrappers assembly, which the engine does not reference).
    /// </summary>
    public static bool SameFiles(IFileSystem a, IFileSystem b) =>
        ReferenceEquals(a, b) || (a.GetType() == b.GetType() && a.GetType().FullName == "System.IO.Abstractions.FileSystem");
}
