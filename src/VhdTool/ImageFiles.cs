using Storage.VhdEngine;
using Storage.VhdEngine.Disks;

namespace Storage.VhdTool;

/// <summary>Opens images for commands; a checksum refusal says how to read the image anyway.</summary>
internal static class ImageFiles
{
    /// <summary>Opens <paramref name="path"/>; a checksum refusal of a read-only open comes back with the --ignore-checksums hint.</summary>
    public static VirtualDisk Open(ToolEnvironment env, string path, FileAccess access = FileAccess.Read, VhdOpenOptions? options = null)
    {
        try
        {
            return VirtualDisk.Open(env.FileSystem, path, access, options);
        }
        catch (VhdFormatException e) when (access == FileAccess.Read && IsChecksum(e))
        {
            throw WithChecksumHint(e);
        }
    }

    /// <summary>True for a footer or header checksum refusal, which --ignore-checksums gets past.</summary>
    public static bool IsChecksum(VhdFormatException e) => e.Field is "footer checksum" or "dynamic header checksum";

    /// <summary>
    /// The format error (its message already names the image) with the hint a command that offers
    /// --ignore-checksums gives.
    /// </summary>
    public static VhdException WithChecksumHint(VhdFormatException e) => new($"{e.Message} (--ignore-checksums reads it anyway)", e);

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
