namespace Storage.VhdEngine;

/// <summary>
/// The image is malformed: a field has a value the format or the engine's limits do not allow.
/// The message is "path: field: value and limit", e.g.
/// <c>/images/a.vhd: block size: 3000 is not a power of two from 512 to 268435456</c>.
/// </summary>
public sealed class VhdFormatException : VhdException
{
    /// <summary>Creates the exception for <paramref name="field"/> of the image at <paramref name="path"/>.</summary>
    /// <param name="path">Full path of the malformed image.</param>
    /// <param name="field">The field (or structure) that failed validation.</param>
    /// <param name="message">The value found and the rule or limit it breaks.</param>
    public VhdFormatException(string path, string field, string message) : base($"{path}: {field}: {message}")
    {
        Path = path;
        Field = field;
    }

    /// <summary>Full path of the malformed image (in a chain, the file at fault).</summary>
    public string Path { get; }

    /// <summary>The field (or structure) that failed validation, e.g. "max table entries".</summary>
    public string Field { get; }
}
