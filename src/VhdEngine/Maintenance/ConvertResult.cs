namespace Storage.VhdEngine.Maintenance;

/// <summary>What a conversion did.</summary>
/// <param name="Source">What the source was read as: <see cref="DiskImageFormat.Raw"/> or <see cref="DiskImageFormat.Vhd"/>.</param>
/// <param name="VirtualSize">Virtual size of the target (its length for a raw target).</param>
/// <param name="DataBytesWritten">Bytes of disk data written to the target; zero ranges were skipped.</param>
/// <param name="TargetFileLength">Length of the target file.</param>
public sealed record ConvertResult(DiskImageFormat Source, long VirtualSize, long DataBytesWritten, long TargetFileLength);
