namespace Storage.FaultInjection;

/// <summary>How a <see cref="CrashState"/> chooses which pending pieces reach the disk.</summary>
public enum CrashStateKind
{
    /// <summary><c>p</c>: the first N pending operations persist in full, the rest are lost.</summary>
    Prefix,

    /// <summary><c>d</c>: every pending operation persists except one.</summary>
    Drop,

    /// <summary><c>t</c>: the operations before one write persist, that write is torn at sector granularity, the rest are lost.</summary>
    Tear,

    /// <summary><c>m</c>: every creation and length change persists, no data sector does.</summary>
    MetadataOnly,

    /// <summary><c>x</c>: an explicit applied/lost bit per piece.</summary>
    Explicit,

    /// <summary><c>s</c>: a pseudo-random choice per piece, reproducible from a seed and an index.</summary>
    Sampled,
}
