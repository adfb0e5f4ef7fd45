namespace Storage.VhdEngine;

/// <summary>
/// An I/O operation on the image file failed. The in-memory state of the disk is left
/// consistent with what may have reached the file; <see cref="DiskUsable"/> says whether
/// the disk object can still be used.
/// </summary>
public sealed class VhdIOException : VhdException
{
    /// <summary>Creates the exception.</summary>
    public VhdIOException(string message, Exception inner, bool diskUsable = true) : base(message, inner) => DiskUsable = diskUsable;

    /// <summary>False when the disk object refuses further I/O and must be reopened.</summary>
    public bool DiskUsable { get; }
}
