namespace Storage.VhdEngine;

/// <summary>
/// The image is malformed: a field has a value the format or our limits do not allow.
/// The message names the field, the value and the limit.
/// </summary>
public sealed class VhdFormatException : VhdException
{
    /// <summary>Creates the exception for <paramref name="field"/>.</summary>
    public VhdFormatException(string field, string message) : base($"{field}: {message}") => Field = field;

    /// <summary>The field (or structure) that failed validation.</summary>
    public string Field { get; }
}
