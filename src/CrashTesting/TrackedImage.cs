namespace Storage.CrashTesting;

/// <summary>One image file a workload works on: its path, whether it must exist, its model and its parent.</summary>
internal sealed class TrackedImage
{
    public TrackedImage(string path, ImageModel? model, string? parentPath)
    {
        Path = path;
        Model = model;
        ParentPath = parentPath;
    }

    /// <summary>Full path.</summary>
    public string Path { get; }

    /// <summary>What the image must read; null while unknown (a new image reads zeros at whatever size it has).</summary>
    public ImageModel? Model { get; set; }

    /// <summary>Full path of the parent of a differencing image.</summary>
    public string? ParentPath { get; }

    /// <summary>Whether its parent-id check must still pass (see <see cref="CrashTesting.ParentLink"/>).</summary>
    public ParentLink ParentLink { get; set; } = ParentLink.Intact;

    /// <summary>Whether the file must exist.</summary>
    public ImageExistence Existence { get; set; } = ImageExistence.NotYet;

    /// <summary>Sectors written into this file itself (its own data, as opposed to what it inherits).</summary>
    public HashSet<long> OwnSectors { get; private init; } = [];

    /// <summary>True when a crash may leave the file absent.</summary>
    public bool MayBeAbsent => Existence is ImageExistence.Creating or ImageExistence.Deleting;

    /// <summary>True when the verifier looks at it.</summary>
    public bool Checked => Existence is ImageExistence.Creating or ImageExistence.Present or ImageExistence.Deleting;

    public TrackedImage Clone() => new(Path, Model?.Clone(), ParentPath)
    {
        Existence = Existence,
        ParentLink = ParentLink,
        OwnSectors = [.. OwnSectors],
    };
}
