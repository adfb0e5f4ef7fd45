namespace Storage.VhdEngine.Maintenance;

/// <summary>
/// A disk image file's format, for conversions (<see cref="VhdMaintenance.Convert"/>): what to write,
/// how to read the source, and what the source was read as.
/// </summary>
public enum DiskImageFormat
{
    /// <summary>A raw (flat) image: the virtual disk's bytes and nothing else (sparse on the host where zero).</summary>
    Raw,
    /// <summary>
    /// A VHD of any type. As a source: read as a VHD whatever its type (a differencing chain through
    /// its parents). As a target: a dynamic VHD, the default kind (as qemu-img's vpc).
    /// </summary>
    Vhd,
    /// <summary>A fixed VHD: the bytes, then the footer. As a source, the same as <see cref="Vhd"/>.</summary>
    Fixed,
    /// <summary>A dynamic VHD: all-zero blocks are left unallocated. As a source, the same as <see cref="Vhd"/>.</summary>
    Dynamic,
}
