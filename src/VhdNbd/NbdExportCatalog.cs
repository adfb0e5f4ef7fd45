using System.Diagnostics.CodeAnalysis;
using System.Text;
using Storage.VhdActors;
using Storage.VhdEngine;

namespace Storage.VhdNbd;

/// <summary>
/// The exports a server offers, by name. <see cref="ScanAsync"/> builds it from a directory: every
/// image under it (files named *.vhd or *.avhd, any case) is opened once through the store to learn
/// its size and chain. Images that cannot be opened are left out and listed in <see cref="Skipped"/>.
/// The list is taken once; images added later are not served until the catalog is built again.
/// </summary>
public sealed class NbdExportCatalog
{
    private readonly Dictionary<string, NbdExport> _byName;

    /// <summary>A catalog of the given exports (names must be unique, non-empty, at most 4096 bytes of UTF-8).</summary>
    /// <exception cref="ArgumentException">A name is empty, too long, or given twice.</exception>
    public NbdExportCatalog(IEnumerable<NbdExport> exports, IEnumerable<string>? skipped = null)
    {
        ArgumentNullException.ThrowIfNull(exports);
        _byName = new Dictionary<string, NbdExport>(StringComparer.Ordinal);
        foreach (var export in exports)
        {
            if (export.Name.Length == 0 || Encoding.UTF8.GetByteCount(export.Name) > Protocol.NbdStrings.MaxBytes)
                throw new ArgumentException($"export name '{export.Name}' is empty or longer than {Protocol.NbdStrings.MaxBytes} bytes", nameof(exports));
            if (!_byName.TryAdd(export.Name, export))
                throw new ArgumentException($"export name '{export.Name}' is given twice", nameof(exports));
        }
        Exports = [.. _byName.Values.OrderBy(e => e.Name, StringComparer.Ordinal)];
        Skipped = [.. skipped ?? []];
    }

    /// <summary>The exports, ordered by name.</summary>
    public IReadOnlyList<NbdExport> Exports { get; }

    /// <summary>Images found but not served, each as "name: reason".</summary>
    public IReadOnlyList<string> Skipped { get; }

    /// <summary>
    /// The export called <paramref name="name"/>. The empty name (NBD's default export) means the
    /// only export when there is exactly one, and nothing otherwise.
    /// </summary>
    public bool TryGet(string name, [NotNullWhen(true)] out NbdExport? export)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 && Exports.Count == 1)
        {
            export = Exports[0];
            return true;
        }
        return _byName.TryGetValue(name, out export);
    }

    /// <summary>
    /// Every image under <paramref name="directory"/>, named by its path relative to it. An image is
    /// served read-only when <paramref name="readOnly"/> is set, when its file is marked read-only
    /// (a snapshot's frozen parent), or when another image found here has it in its chain of parents
    /// (writing it would change what the child reads, DESIGN.md §10).
    /// </summary>
    /// <exception cref="VhdException">The directory does not exist.</exception>
    public static async Task<NbdExportCatalog> ScanAsync(IDiskStore store, string directory, bool readOnly = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(directory);
        var fs = store.FileSystem;
        string root = fs.Path.GetFullPath(directory);
        if (!fs.Directory.Exists(root)) throw new VhdException($"{root}: no such directory");
        var found = new List<(string Name, string Path, long Size, IReadOnlyList<string> Chain)>();
        var skipped = new List<string>();
        foreach (string path in fs.Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Where(IsImageName).Order(StringComparer.Ordinal))
        {
            string name = fs.Path.GetRelativePath(root, path).Replace(fs.Path.DirectorySeparatorChar, '/');
            try
            {
                await using var disk = await store.OpenAsync(path, FileAccess.Read, cancellationToken).ConfigureAwait(false);
                found.Add((name, disk.Path, disk.Length, disk.Chain));
            }
            catch (VhdException e)
            {
                skipped.Add($"{name}: {e.Message}");
            }
        }
        var parents = found.SelectMany(f => f.Chain.Skip(1)).ToHashSet(StringComparer.Ordinal);
        var exports = found.Select(f => new NbdExport(
            f.Name,
            f.Path,
            f.Size,
            readOnly || parents.Contains(f.Path) || (fs.File.GetAttributes(f.Path) & FileAttributes.ReadOnly) != 0,
            Describe(fs.Path.GetRelativePath(root, f.Path), f.Chain, root, fs.Path)));
        return new NbdExportCatalog(exports, skipped);
    }

    private static bool IsImageName(string path) =>
        path.EndsWith(".vhd", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".avhd", StringComparison.OrdinalIgnoreCase);

    private static string Describe(string name, IReadOnlyList<string> chain, string root, System.IO.Abstractions.IPath path) =>
        chain.Count < 2
            ? $"VHD image {name}"
            : $"differencing VHD image {name} over {string.Join(" over ", chain.Skip(1).Select(p => path.GetRelativePath(root, p)))}";
}
