namespace Storage.VhdEngine;

/// <summary>A caller passed an invalid argument (size, offset, option) to the engine.</summary>
public sealed class VhdArgumentException : VhdException
{
    /// <summary>Creates the exception naming the parameter.</summary>
    public VhdArgumentException(string parameter, string message) : base($"{parameter}: {message}") => Parameter = parameter;

    /// <summary>The offending parameter or option.</summary>
    public string Parameter { get; }
}
