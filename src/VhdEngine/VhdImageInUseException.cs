namespace Storage.VhdEngine;

/// <summary>
/// The image is locked by another owner (DESIGN.md §10): another writer holds it, in this process
/// or another, or readers hold it while this open wanted to write, or a writer holds it while this
/// open wanted a consistent read. Nothing was read or written. The message names the image and,
/// where the platform tells, the holder.
/// </summary>
public sealed class VhdImageInUseException : VhdException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">Full path of the image.</param>
    /// <param name="forWriting">True when the refused open wanted to write.</param>
    /// <param name="holder">Who holds the image (e.g. "process 1234 (qemu-io), for writing"), or null when unknown.</param>
    /// <param name="inner">The platform's refusal, if any.</param>
    public VhdImageInUseException(string path, bool forWriting, string? holder, Exception? inner = null)
        : base(Describe(path, forWriting, holder), inner)
    {
        Path = path;
        ForWriting = forWriting;
        Holder = holder;
    }

    /// <summary>Full path of the image.</summary>
    public string Path { get; }

    /// <summary>True when the refused open wanted to write; false for a reader refused by a writer.</summary>
    public bool ForWriting { get; }

    /// <summary>Who holds the image, where the platform tells; null otherwise.</summary>
    public string? Holder { get; }

    private static string Describe(string path, bool forWriting, string? holder)
    {
        string who = holder ?? "another process or open handle holds a conflicting lock";
        return forWriting
            ? $"{path}: the image is in use and cannot be opened for writing: {who}"
            : $"{path}: the image is being written and cannot be opened for a consistent read: {who}; "
              + "open it with VhdOpenOptions.ForceShare (vhd --force-share) to read it anyway, accepting that the data may change while it is read";
    }
}
