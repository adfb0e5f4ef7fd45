namespace Storage.VhdEngine.Maintenance;

/// <summary>How <see cref="Resizer"/> resizes an image.</summary>
public sealed record ResizeOptions
{
    /// <summary>The new virtual size in bytes (rounded up as creation rounds it: to the CHS geometry, or to a sector for images that keep their exact size).</summary>
    public long Size { get; init; }

    /// <summary>Allow a smaller size; refused anyway while anything allocated (or, in a fixed image, any non-zero byte) lies past the new end.</summary>
    public bool AllowShrink { get; init; }

    /// <summary>
    /// Resize even though other images in its folder are its children (DESIGN.md §10): the image then
    /// gets a new unique id first, so they refuse to open. Without it, resizing a parent is refused.
    /// </summary>
    public bool Force { get; init; }
}
