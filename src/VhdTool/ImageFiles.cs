using Storage.VhdEngine;
using Storage.VhdEngine.Disks;

namespace Storage.VhdTool;

/// <summary>Opens images for commands, naming the file in format errors (the engine's name only the field).</summary>
internal static class ImageFiles
{
    /// <summary>Opens <paramref name="path"/>; a <see cref="VhdFormatException"/> comes back prefixed with the path.</summary>
    public static VirtualDisk Open(ToolEnvironment env, string path, FileAccess access = FileAccess.Read)
    {
        try
        {
            return VirtualDisk.Open(env.FileSystem, path, access);
        }
        catch (VhdFormatException e)
        {
            throw WithPath(path, e);
        }
    }

    /// <summary>The format error as one that names <paramref name="path"/>.</summary>
    public static VhdException WithPath(string path, VhdFormatException e) => new($"{path}: {e.Message}", e);
}
