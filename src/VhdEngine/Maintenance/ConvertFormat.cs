namespace Storage.VhdEngine.Maintenance;

/// <summary>The format <see cref="Converter"/> writes.</summary>
public enum ConvertFormat
{
    /// <summary>A raw (flat) image: the virtual disk's bytes, sparse where they are zero.</summary>
    Raw,
    /// <summary>A fixed VHD: the bytes, then the footer (sparse on the host where zero).</summary>
    Fixed,
    /// <summary>A dynamic VHD: all-zero blocks are left unallocated.</summary>
    Dynamic,
}
