using System.IO.Abstractions;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
namespace Storage.VhdEngine.Maintenance;

/// <summary>
/// Deleting an image (<see cref="VhdMaintenance.Delete"/>): it must open (so it is an image, and no
/// other owner holds it: the engine's lock refuses one), and no differencing image in its folder, or
/// open in this process, may name it as parent (the search commit makes for siblings, DESIGN.md §10).
/// </summary>
internal static class ImageDeletion
{
    public static void Delete(IFileSystem fs, string path, VhdOpenOptions? options)
    {
        bool frozen = fs.File.Exists(path) && (fs.File.GetAttributes(path) & FileAttributes.ReadOnly) != 0;
        Guid id;
        // A writer's exclusive lock refuses every other owner; a frozen parent can only be opened
        // for reading, and then no writer can hold it anyway.
        using (var disk = VirtualDisk.Open(fs, path, frozen ? FileAccess.Read : FileAccess.ReadWrite, (options ?? new VhdOpenOptions()) with { ForceShare = false }))
        {
            id = disk.Footer.UniqueId;
            string folder = fs.Path.GetDirectoryName(path) ?? "/";
            var children = ChainScanner.FindChildren(fs, path, id, [folder]);
            if (children.Count > 0)
                throw new VhdException($"{path}: not deleted: it is the parent of {string.Join(", ", children)}; commit or delete {(children.Count == 1 ? "it" : "them")} first");
        }
        if (frozen) fs.File.SetAttributes(path, fs.File.GetAttributes(path) & ~FileAttributes.ReadOnly);
        fs.File.Delete(path);
    }
}
