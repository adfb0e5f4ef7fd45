namespace Storage.VhdEngine.Disks;

/// <summary>How to open an image and resolve its parents.</summary>
public sealed record VhdOpenOptions
{
    /// <summary>Default bound on the depth of a differencing chain.</summary>
    public const int DefaultMaxChainDepth = 256;

    /// <summary>Parents must resolve under this directory; null allows any existing regular file.</summary>
    public string? AllowedParentRoot { get; init; }

    /// <summary>Chains deeper than this are refused.</summary>
    public int MaxChainDepth { get; init; } = DefaultMaxChainDepth;

    /// <summary>Share read-only parents between children opened in this process (default true).</summary>
    public bool ShareParents { get; init; } = true;

    /// <summary>
    /// Accept footers and dynamic headers whose checksum does not match, with a warning (default
    /// false: a mismatch is a format error, DESIGN.md §3). Cookies and every bound are still
    /// checked, and a footer with a valid checksum is always preferred. For images edited by tools
    /// that do not keep checksums, such as the dfvfs test images image.vhd and
    /// image-differential.vhd. Applies to the parents opened for a differencing image too.
    /// </summary>
    public bool AcceptChecksumMismatch { get; init; }

    /// <summary>
    /// Read even while a writer holds the image (qemu's force-share, `-U`): a read-only open takes a
    /// lock that refuses nobody and is refused by nobody, and so do its parents. The data may change
    /// while it is read, and a writer may be in the middle of an allocation: for inspection, not for
    /// a consistent copy. When a writer is seen, the open image's <see cref="VhdImageInfo.Warnings"/> say so. Only for
    /// read-only opens: asking for it with a writable open is refused (default false).
    /// </summary>
    public bool ForceShare { get; init; }

    internal static readonly VhdOpenOptions Default = new();
}
