namespace Storage.CrashTesting;

/// <summary>A sector of a recovered virtual disk that does not read what a check expected.</summary>
/// <param name="Image">Full path of the image.</param>
/// <param name="Offset">Virtual disk offset of <paramref name="Expected"/>[0]: a sector's start, or where the checked range starts inside it.</param>
/// <param name="Expected">What the check expected there (up to 512 bytes, within one sector).</param>
/// <param name="Actual">What the disk read.</param>
/// <param name="What">What the check was about (the caller's words), or null.</param>
public sealed record SectorMismatch(string Image, long Offset, byte[] Expected, byte[] Actual, string? What);
