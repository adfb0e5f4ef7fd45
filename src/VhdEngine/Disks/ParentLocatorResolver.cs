using System.IO.Abstractions;
using System.Text;
using Storage.VhdEngine.Format;

namespace Storage.VhdEngine.Disks;

/// <summary>
/// Finds a differencing image's parent: the relative W2ru locator from the child's directory
/// first, then the absolute W2ku, then MacX, then the header's parent name in the child's
/// directory. Locator paths are Windows paths; on other hosts a drive-letter or UNC path is
/// unresolvable and the next candidate is tried.
/// </summary>
internal static class ParentLocatorResolver
{
    /// <summary>The candidate paths in resolution order, each with where it came from.</summary>
    public static List<(string Source, string? Path)> Candidates(IFileSystem fs, string childPath, DynamicHeader header, BlockFile file)
    {
        string dir = fs.Path.GetDirectoryName(childPath) ?? "/";
        var result = new List<(string, string?)>();
        var locators = header.ParentLocators.Span.ToArray();
        foreach (uint code in new[] { ParentLocator.W2ru, ParentLocator.W2ku, ParentLocator.MacX })
        {
            for (int i = 0; i < locators.Length; i++)
            {
                var l = locators[i];
                if (l.PlatformCode != code || l.PlatformDataLength == 0) continue;
                string text = ReadText(file, l)!;
                string? path = code == ParentLocator.MacX ? FromFileUrl(fs, text) : FromWindowsPath(fs, dir, text);
                result.Add(($"{l.PlatformCodeText} locator '{text}'", path));
            }
        }
        string name = header.ParentUnicodeName;
        if (name.Length > 0)
        {
            int cut = name.LastIndexOfAny(['\\', '/']);
            string leaf = name[(cut + 1)..];
            result.Add(($"parent name '{name}'", leaf.Length == 0 || leaf is "." or ".." ? null : fs.Path.GetFullPath(fs.Path.Combine(dir, leaf))));
        }
        return result;
    }

    /// <summary>
    /// The text of a W2ru, W2ku (UTF-16LE) or MacX (UTF-8) locator's data, without trailing NULs;
    /// null for other codes. Its bounds were checked when the image was loaded.
    /// </summary>
    public static string? ReadText(BlockFile file, ParentLocator l)
    {
        bool macX = l.PlatformCode == ParentLocator.MacX;
        if (!macX && l.PlatformCode != ParentLocator.W2ru && l.PlatformCode != ParentLocator.W2ku) return null;
        var raw = new byte[l.PlatformDataLength];
        file.ReadAt((long)l.PlatformDataOffset, raw);
        return (macX ? Encoding.UTF8.GetString(raw) : Encoding.Unicode.GetString(raw)).TrimEnd('\0');
    }

    /// <summary>Resolves the parent path or throws naming every path tried.</summary>
    public static string Resolve(IFileSystem fs, string childPath, DynamicHeader header, BlockFile file, VhdOpenOptions options)
    {
        var tried = new List<string>();
        string? root = options.AllowedParentRoot is null ? null : fs.Path.GetFullPath(options.AllowedParentRoot);
        foreach (var (source, path) in Candidates(fs, childPath, header, file))
        {
            if (path is null) { tried.Add($"{source}: not resolvable on this host"); continue; }
            if (root is not null && !IsUnder(fs, root, path)) { tried.Add($"{source}: '{path}' is outside the allowed root '{root}'"); continue; }
            if (!fs.File.Exists(path)) { tried.Add($"{source}: '{path}' does not exist"); continue; }
            // Only a regular file can be a parent: FIFOs, devices and /proc files stat as 0 bytes,
            // and opening a FIFO would block forever (DESIGN.md §3: never a hang).
            long length = fs.FileInfo.New(path).Length;
            if (length < VhdConstants.FooterSize) { tried.Add($"{source}: '{path}' is {length} bytes, not an image file"); continue; }
            return path;
        }
        if (tried.Count == 0) tried.Add("no parent locator and no parent name");
        throw new VhdFormatException(childPath, "parent locator", $"parent of '{childPath}' not found; tried {string.Join("; ", tried)}");
    }

    private static bool IsUnder(IFileSystem fs, string root, string path)
    {
        string r = root.EndsWith(fs.Path.DirectorySeparatorChar) ? root : root + fs.Path.DirectorySeparatorChar;
        return path.StartsWith(r, StringComparison.Ordinal);
    }

    /// <summary>Turns a Windows locator path into a full path on this host, or null if it cannot be.</summary>
    public static string? FromWindowsPath(IFileSystem fs, string childDir, string text)
    {
        if (text.Length == 0) return null;
        bool windowsHost = fs.Path.DirectorySeparatorChar == '\\';
        bool driveLetter = text.Length >= 2 && char.IsAsciiLetter(text[0]) && text[1] == ':';
        bool unc = text.StartsWith(@"\\", StringComparison.Ordinal);
        if (!windowsHost && (driveLetter || unc)) return null;
        string p = windowsHost ? text : text.Replace('\\', '/');
        try
        {
            return fs.Path.IsPathRooted(p) ? fs.Path.GetFullPath(p) : fs.Path.GetFullPath(fs.Path.Combine(childDir, p));
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException) { return null; }
    }

    private static string? FromFileUrl(IFileSystem fs, string text)
    {
        if (!text.StartsWith("file://", StringComparison.OrdinalIgnoreCase)) return null;
        string rest = text[7..];
        int slash = rest.IndexOf('/');
        if (slash < 0) return null;
        try { return fs.Path.GetFullPath(Uri.UnescapeDataString(rest[slash..])); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException or UriFormatException) { return null; }
    }

    /// <summary>The W2ru form of <paramref name="parentPath"/> relative to <paramref name="childDir"/>: ".\name.vhd".</summary>
    public static string ToRelativeWindowsPath(IFileSystem fs, string childDir, string parentPath)
    {
        string rel = fs.Path.GetRelativePath(childDir, parentPath).Replace('/', '\\');
        return rel.StartsWith("..", StringComparison.Ordinal) || rel.StartsWith(".\\", StringComparison.Ordinal) ? rel : ".\\" + rel;
    }

    /// <summary>The W2ku form of an absolute path (separators as backslashes).</summary>
    public static string ToAbsoluteWindowsPath(string parentPath) => parentPath.Replace('/', '\\');
}
