namespace Storage.VhdEngine.Format;

/// <summary>
/// The durable record of a forced commit in progress, kept in the child's footer reserved bytes
/// (offset 85, 40 bytes: the magic "svhdfcm1", the parent's old and new unique ids, big-endian):
/// a footer is one sector, so it lands whole or not at all, and the copy at offset 0 is the one in
/// force when the two differ. Written before the parent's id changes and removed when the commit
/// is done, it lets a rerun recognise a child that points at a parent whose id it changed itself,
/// and lets an open say why the ids disagree. Other readers ignore the reserved bytes.
/// </summary>
internal readonly record struct CommitIntent(Guid OldParentId, Guid NewParentId)
{
    private const int Length = 40;

    private static ReadOnlySpan<byte> Magic => "svhdfcm1"u8;

    /// <summary>The intent recorded in <paramref name="footer"/>, or null.</summary>
    public static CommitIntent? Read(VhdFooter footer)
    {
        var r = footer.Reserved.Span;
        if (r.Length < Length || !r[..Magic.Length].SequenceEqual(Magic)) return null;
        return new CommitIntent(new Guid(r.Slice(8, 16), bigEndian: true), new Guid(r.Slice(24, 16), bigEndian: true));
    }

    /// <summary><paramref name="footer"/> carrying this intent, checksum updated.</summary>
    public VhdFooter WriteTo(VhdFooter footer)
    {
        var r = footer.Reserved.ToArray();
        Magic.CopyTo(r);
        OldParentId.TryWriteBytes(r.AsSpan(8, 16), bigEndian: true, out _);
        NewParentId.TryWriteBytes(r.AsSpan(24, 16), bigEndian: true, out _);
        return (footer with { Reserved = r }).WithChecksum();
    }

    /// <summary><paramref name="footer"/> without any intent (those reserved bytes zeroed), checksum updated.</summary>
    public static VhdFooter Clear(VhdFooter footer)
    {
        var r = footer.Reserved.ToArray();
        r.AsSpan(0, Length).Clear();
        return (footer with { Reserved = r }).WithChecksum();
    }

    /// <summary>Why a child with this intent may disagree with its parent's id, for error messages.</summary>
    public string Explain(string parentPath) =>
        $"an interrupted forced commit into '{parentPath}' was changing its unique id from {OldParentId:N} to {NewParentId:N}; run the commit again to finish it";
}
