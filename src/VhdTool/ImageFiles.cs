using Storage.VhdEngine;
using Storage.VhdEngine.Disks;

namespace Storage.VhdTool;

/// <summary>Opens images for commands, naming the file in format errors (the engine's name only the field).</summary>
internal static class ImageFiles
{
    /// <summary>Opens <paramref name="path"/>; a <see cref="VhdFormatException"/> comes back prefixed with the path.</summary>
    public static VirtualDisk Open(ToolEnvironment env, string path, FileAccess access = FileAccess.Read, VhdOpenOptions? options = null)
    {
        try
        {
            return VirtualDisk.Open(env.FileSystem, path, access, options);
        }
        catch (VhdFormatException e)
        {
            throw WithPath(path, e, canIgnoreChecksums: access == FileAccess.Read);
        }
    }

    /// <summary>
    /// The format error as one that names <paramref name="path"/>; a checksum refusal says how to
    /// read the image anyway when the command offers --ignore-checksums.
    /// </summary>
    public static VhdException WithPath(string path, VhdFormatException e, bool canIgnoreChecksums = false)
    {
        bool checksum = e.Field is "footer checksum" or "dynamic header checksum";
        string hint = checksum && canIgnoreChecksums ? " (--ignore-checksums reads it anyway)" : string.Empty;
        return new VhdException($"{path}: {e.Message}{hint}", e);
    }

    /// <summary>The virtual size of <paramref name="path"/> for a progress bar's 100% or a report; 0 when it does not open (the command itself then says why).</summary>
    public static long VirtualSize(ToolEnvironment env, string path)
    {
        try
        {
            using var disk = VirtualDisk.Open(env.FileSystem, path, FileAccess.Read, new VhdOpenOptions { ShareParents = false });
            return disk.Length;
        }
        catch (Exception e) when (e is VhdException or IOException)
        {
            return 0;
        }
    }
}
