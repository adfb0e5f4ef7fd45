using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;

namespace Storage.Fuzz;

/// <summary>
/// The harness's own look at an image's end footer (DESIGN.md §4: a read-write session always
/// leaves one): a valid footer at the end (512 bytes, or an old 511-byte one), equal to the copy at
/// offset 0 when a dynamic or differencing image has a valid one. Read from the bytes, so the check
/// does not rest on the engine under test.
/// </summary>
public static class EndFooter
{
    /// <summary>What is wrong with the end footer of <paramref name="image"/>, or null when it is valid.</summary>
    public static string? Problem(byte[] image)
    {
        const int size = VhdConstants.FooterSize;
        var end = Valid(image, image.Length - size, size) ?? Valid(image, image.Length - (size - 1), size - 1);
        if (end is null) return "the file has no valid footer at its end";
        var copy = image.Length >= 2 * size ? Valid(image, 0, size) : null;
        bool sparse = copy is { DiskType: VhdDiskType.Dynamic or VhdDiskType.Differencing };
        return end.DiskType != VhdDiskType.Fixed && sparse && !end.Equals(copy) ? "the end footer differs from the copy at offset 0" : null;
    }

    /// <summary>The footer of <paramref name="length"/> bytes at <paramref name="offset"/> (zero-padded) if its cookie and checksum are valid.</summary>
    private static VhdFooter? Valid(byte[] image, long offset, int length)
    {
        if (offset < 0) return null;
        var buffer = new byte[VhdConstants.FooterSize];
        image.AsSpan((int)offset, length).CopyTo(buffer);
        var footer = VhdFooter.Read(buffer);
        return footer.HasValidCookie && footer.HasValidChecksum ? footer : null;
    }
}
