namespace Storage.VhdEngine.Disks;

/// <summary>
/// What one image file says about itself: its footer's fields, its dynamic header's (dynamic and
/// differencing images), its parent locators, and what opening it found. A read-only snapshot
/// taken when <see cref="VirtualDisk.Info"/> was read; nothing in it changes the image or changes
/// with it. Describes this file only: the chain is <see cref="VirtualDisk.Chain"/>.
/// </summary>
public sealed record VhdImageInfo
{
    /// <summary>Full path of the image file.</summary>
    public required string Path { get; init; }

    /// <summary>Fixed, dynamic or differencing.</summary>
    public required VhdDiskType DiskType { get; init; }

    /// <summary>Virtual size in bytes: the footer's current size, or for Virtual PC images the CHS geometry's size (DESIGN.md §2).</summary>
    public required long VirtualSize { get; init; }

    /// <summary>The footer's current size field, in bytes.</summary>
    public required ulong CurrentSize { get; init; }

    /// <summary>The footer's original size field (the size at creation), in bytes.</summary>
    public required ulong OriginalSize { get; init; }

    /// <summary>The footer's geometry: cylinders.</summary>
    public required int Cylinders { get; init; }

    /// <summary>The footer's geometry: heads.</summary>
    public required int Heads { get; init; }

    /// <summary>The footer's geometry: sectors per track.</summary>
    public required int SectorsPerTrack { get; init; }

    /// <summary>The creator application's four characters, e.g. "svhd", "vpc ", "win ", "qem2"; a NUL shows as \0 ("wa\0\0").</summary>
    public required string CreatorApplication { get; init; }

    /// <summary>The creator's version (major.minor, from the footer's two 16-bit halves).</summary>
    public required Version CreatorVersion { get; init; }

    /// <summary>The creator host OS's four characters: "Wi2k" or "Mac ".</summary>
    public required string CreatorHostOs { get; init; }

    /// <summary>When the image was created (the footer's timestamp, whole seconds, UTC).</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>The image's unique id (a differencing child records its parent's).</summary>
    public required Guid UniqueId { get; init; }

    /// <summary>The footer's saved-state flag (a virtual machine saved its state on this disk).</summary>
    public required bool SavedState { get; init; }

    /// <summary>The footer's feature bits: 0x2 reserved (always set by writers), 0x1 temporary.</summary>
    public required uint Features { get; init; }

    /// <summary>Bytes of data per block (dynamic and differencing images); 0 for fixed images.</summary>
    public required int BlockSize { get; init; }

    /// <summary>Entries in the block allocation table (dynamic and differencing images); 0 for fixed images.</summary>
    public required long MaxTableEntries { get; init; }

    /// <summary>Blocks allocated in this file, not its parents (0 for fixed images).</summary>
    public required long AllocatedBlocks { get; init; }

    /// <summary>The length of the image file, in bytes.</summary>
    public required long FileLength { get; init; }

    /// <summary>Differencing images: the unique id the parent must have; null for other types.</summary>
    public Guid? ParentUniqueId { get; init; }

    /// <summary>Differencing images: the parent's name as the header records it (usually its absolute Windows path); null for other types.</summary>
    public string? ParentName { get; init; }

    /// <summary>Differencing images: the parent's modification time the header records; null for other types or when not recorded (0).</summary>
    public DateTimeOffset? ParentTimestamp { get; init; }

    /// <summary>The non-empty parent locators of the dynamic header, in header order (none for fixed images).</summary>
    public IReadOnlyList<VhdParentLocatorInfo> ParentLocators { get; init; } = [];

    /// <summary>What opening the image noticed without refusing it (a stale end footer, a missing feature bit, a writer seen under ForceShare...).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
