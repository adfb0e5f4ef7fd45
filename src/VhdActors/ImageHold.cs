using Storage.VhdEngine;
using Storage.VhdEngine.Disks;

namespace Storage.VhdActors;

/// <summary>
/// The open image an <see cref="ImageActor"/> owns, kept outside the actor instance so that the
/// image's lock never lapses while its owner changes (DESIGN.md §10): across a restart the next
/// instance reopens it over the same file and lock (<see cref="VirtualDisk.Reopen"/>); after an idle
/// close or a freeze the <see cref="ImageManager"/> keeps it, flushed, until the image's next actor
/// adopts it or the last handle closes it.
/// </summary>
internal sealed class ImageHold
{
    /// <summary>The open image, or null when nothing is held.</summary>
    public VirtualDisk? Disk { get; set; }

    /// <summary>Closes the image (releasing its lock and its parents').</summary>
    public void Release()
    {
        var disk = Disk;
        Disk = null;
        if (disk is null) return;
        disk.Dispose();
        VhdTelemetry.ImagesOpen.Add(-1);
    }
}
