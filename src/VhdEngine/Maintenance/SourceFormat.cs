namespace Storage.VhdEngine.Maintenance;

/// <summary>What a conversion source is, or how to treat it.</summary>
public enum SourceFormat
{
    /// <summary>Probe: a VHD if it opens as one; raw if it fails and has no "conectix" footer cookie.</summary>
    Auto,
    /// <summary>A raw (flat) image.</summary>
    Raw,
    /// <summary>A VHD image of any type; differencing chains are read through their parents.</summary>
    Vhd,
}
