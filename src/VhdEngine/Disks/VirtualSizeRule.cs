using Storage.VhdEngine.Format;

namespace Storage.VhdEngine.Disks;

/// <summary>
/// Which size an image presents (DESIGN.md §2): Virtual PC and old qemu images ("vpc ", "qemu")
/// use cylinders x heads x sectors, unless the geometry is the maximum; everything else uses
/// the footer's current size.
/// </summary>
internal static class VirtualSizeRule
{
    private static readonly uint Vpc = FourCc.FromText("vpc ");
    private static readonly uint Qemu = FourCc.FromText("qemu");

    /// <summary>True if the creator's size is the CHS product.</summary>
    public static bool UsesGeometry(VhdFooter footer) =>
        (footer.CreatorApplication == Vpc || footer.CreatorApplication == Qemu) && footer.Geometry != DiskGeometry.Max;

    /// <summary>The virtual size in bytes.</summary>
    public static ulong VirtualSize(VhdFooter footer) =>
        UsesGeometry(footer) ? (ulong)footer.Geometry.TotalBytes : footer.CurrentSize;
}
