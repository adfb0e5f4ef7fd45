namespace Storage.VhdEngine;

/// <summary>
/// A file operation on an image failed (the inner exception is the platform's error). The disk's
/// in-memory state is left consistent with what may have reached the file; <see cref="DiskUsable"/>
/// says whether the disk object can still be used.
/// </summary>
public sealed class VhdIOException : VhdException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed, naming the image.</param>
    /// <param name="inner">The platform's error.</param>
    /// <param name="diskUsable">False when the disk object refuses further I/O and must be reopened.</param>
    public VhdIOException(string message, Exception inner, bool diskUsable = true) : base(message, inner) => DiskUsable = diskUsable;

    /// <summary>False when the disk object refuses further I/O and must be reopened (after a failed flush).</summary>
    public bool DiskUsable { get; }
}
