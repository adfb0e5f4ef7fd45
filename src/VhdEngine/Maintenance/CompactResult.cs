namespace Storage.VhdEngine.Maintenance;

/// <summary>What a compaction did.</summary>
/// <param name="FileBytesBefore">Length of the image file before.</param>
/// <param name="FileBytesAfter">Length of the image file after.</param>
/// <param name="BlocksFreed">Blocks whose BAT entry was cleared: all zeros (dynamic) or an empty bitmap (differencing).</param>
/// <param name="BlocksMoved">Blocks moved down into holes.</param>
public sealed record CompactResult(long FileBytesBefore, long FileBytesAfter, int BlocksFreed, int BlocksMoved)
{
    /// <summary>Bytes the file shrank by.</summary>
    public long BytesReclaimed => FileBytesBefore - FileBytesAfter;
}
