namespace Storage.VhdEngine;

/// <summary>
/// Base type of the errors the VHD engine reports about an image: a malformed image
/// (<see cref="VhdFormatException"/>), a failed file operation (<see cref="VhdIOException"/>), an
/// image another owner holds (<see cref="VhdImageInUseException"/>), or an operation the image's
/// state refuses (a write to a disk open read-only, a commit of an image that is not differencing).
/// An <see cref="IOException"/>, so code that handles I/O failures handles these too. Every message
/// names the image's path. Mistakes in the call itself are the BCL's exceptions
/// (<see cref="ArgumentException"/>, <see cref="ObjectDisposedException"/>), and a missing image is
/// a <see cref="FileNotFoundException"/>.
/// </summary>
public class VhdException : IOException
{
    /// <summary>Creates the exception with a message.</summary>
    public VhdException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public VhdException(string message, Exception? inner) : base(message, inner) { }
}
