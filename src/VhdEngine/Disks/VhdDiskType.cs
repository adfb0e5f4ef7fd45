namespace Storage.VhdEngine.Disks;

/// <summary>The kind of a VHD image; the values are the footer's disk type codes.</summary>
public enum VhdDiskType
{
    /// <summary>No disk (code 0): never the type of an image that opens.</summary>
    None = 0,
    /// <summary>Fixed (code 2): the virtual disk's bytes, then the footer.</summary>
    Fixed = 2,
    /// <summary>Dynamic (code 3): blocks allocated on first write; unallocated ones read as zeros.</summary>
    Dynamic = 3,
    /// <summary>Differencing (code 4): a dynamic image over a parent, which supplies what the child does not hold.</summary>
    Differencing = 4,
}
