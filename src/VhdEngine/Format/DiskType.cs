namespace Storage.VhdEngine.Format;

/// <summary>The footer's disk type field.</summary>
public enum DiskType : uint
{
    /// <summary>No disk (spec value 0).</summary>
    None = 0,
    /// <summary>Fixed hard disk: data then footer.</summary>
    Fixed = 2,
    /// <summary>Dynamic (sparse) hard disk.</summary>
    Dynamic = 3,
    /// <summary>Differencing hard disk: a dynamic disk over a parent.</summary>
    Differencing = 4,
}
