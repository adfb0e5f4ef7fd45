namespace Storage.VhdEngine;

/// <summary>Base type of every error the VHD engine reports.</summary>
public class VhdException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    public VhdException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public VhdException(string message, Exception? inner) : base(message, inner) { }
}
