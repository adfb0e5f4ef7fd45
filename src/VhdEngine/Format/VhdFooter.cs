using System.Buffers.Binary;
using System.Text;
using Storage.VhdEngine.Disks;
using F = Storage.VhdEngine.Format.FooterFieldLocations;

namespace Storage.VhdEngine.Format;

/// <summary>
/// The 512-byte hard disk footer. Parsing decodes every field and keeps the reserved bytes,
/// so <see cref="Write"/> reproduces the input exactly; validation lives in the disk open path.
/// </summary>
internal sealed record VhdFooter
{
    /// <summary>The cookie every footer starts with.</summary>
    public static ReadOnlySpan<byte> CookieValue => "conectix"u8;

    /// <summary>The 8-byte cookie as read.</summary>
    public ulong Cookie { get; init; } = BinaryPrimitives.ReadUInt64BigEndian(CookieValue);
    /// <summary>Feature bits (0x2 reserved, always set; 0x1 temporary).</summary>
    public uint Features { get; init; } = VhdConstants.FeatureReserved;
    /// <summary>File format version.</summary>
    public uint FormatVersion { get; init; } = VhdConstants.FormatVersion;
    /// <summary>Absolute offset of the dynamic header; all ones for fixed disks.</summary>
    public ulong DataOffset { get; init; } = VhdConstants.NoDataOffset;
    /// <summary>Creation time, seconds since 2000-01-01 UTC.</summary>
    public uint Timestamp { get; init; }
    /// <summary>Creator application as a big-endian u32 of its 4 ASCII bytes.</summary>
    public uint CreatorApplication { get; init; }
    /// <summary>Creator version.</summary>
    public uint CreatorVersion { get; init; }
    /// <summary>Creator host OS as a big-endian u32 of its 4 ASCII bytes.</summary>
    public uint CreatorHostOs { get; init; }
    /// <summary>Size at creation.</summary>
    public ulong OriginalSize { get; init; }
    /// <summary>Current size in bytes.</summary>
    public ulong CurrentSize { get; init; }
    /// <summary>CHS geometry.</summary>
    public DiskGeometry Geometry { get; init; }
    /// <summary>Disk type.</summary>
    public VhdDiskType DiskType { get; init; }
    /// <summary>The stored checksum (not recomputed by <see cref="Write"/> unless asked).</summary>
    public uint Checksum { get; init; }
    /// <summary>Unique id; byte order as stored (big-endian Guid).</summary>
    public Guid UniqueId { get; init; }
    /// <summary>Saved-state flag.</summary>
    public byte SavedState { get; init; }
    /// <summary>The 427 reserved bytes, kept for exact round trips.</summary>
    public ReadOnlyMemory<byte> Reserved { get; init; } = new byte[F.ReservedLength];

    /// <summary>Creator application as text (4 characters, NULs shown as \0).</summary>
    public string CreatorApplicationText => FourCc.ToText(CreatorApplication);

    /// <summary>Creator host OS as text.</summary>
    public string CreatorHostOsText => FourCc.ToText(CreatorHostOs);

    /// <summary>True if the cookie is "conectix".</summary>
    public bool HasValidCookie => Cookie == BinaryPrimitives.ReadUInt64BigEndian(CookieValue);

    /// <summary>Decodes a footer from 512 bytes (a 511-byte footer is passed padded with a zero byte).</summary>
    public static VhdFooter Read(ReadOnlySpan<byte> b)
    {
        if (b.Length < VhdConstants.FooterSize)
            throw new ArgumentException($"a footer is {VhdConstants.FooterSize} bytes; the buffer has {b.Length}", nameof(b));
        return new VhdFooter
        {
            Cookie = BinaryPrimitives.ReadUInt64BigEndian(b[F.Cookie..]),
            Features = BinaryPrimitives.ReadUInt32BigEndian(b[F.Features..]),
            FormatVersion = BinaryPrimitives.ReadUInt32BigEndian(b[F.FormatVersion..]),
            DataOffset = BinaryPrimitives.ReadUInt64BigEndian(b[F.DataOffset..]),
            Timestamp = BinaryPrimitives.ReadUInt32BigEndian(b[F.Timestamp..]),
            CreatorApplication = BinaryPrimitives.ReadUInt32BigEndian(b[F.CreatorApplication..]),
            CreatorVersion = BinaryPrimitives.ReadUInt32BigEndian(b[F.CreatorVersion..]),
            CreatorHostOs = BinaryPrimitives.ReadUInt32BigEndian(b[F.CreatorHostOs..]),
            OriginalSize = BinaryPrimitives.ReadUInt64BigEndian(b[F.OriginalSize..]),
            CurrentSize = BinaryPrimitives.ReadUInt64BigEndian(b[F.CurrentSize..]),
            Geometry = DiskGeometry.FromUInt32(BinaryPrimitives.ReadUInt32BigEndian(b[F.DiskGeometry..])),
            DiskType = (VhdDiskType)BinaryPrimitives.ReadUInt32BigEndian(b[F.DiskType..]),
            Checksum = BinaryPrimitives.ReadUInt32BigEndian(b[F.Checksum..]),
            UniqueId = new Guid(b.Slice(F.UniqueId, 16), bigEndian: true),
            SavedState = b[F.SavedState],
            Reserved = b.Slice(F.Reserved, F.ReservedLength).ToArray(),
        };
    }

    /// <summary>Encodes the footer into 512 bytes exactly as its fields say (the stored checksum included).</summary>
    public void Write(Span<byte> b)
    {
        if (b.Length < VhdConstants.FooterSize)
            throw new ArgumentException($"a footer is {VhdConstants.FooterSize} bytes; the buffer has {b.Length}", nameof(b));
        BinaryPrimitives.WriteUInt64BigEndian(b[F.Cookie..], Cookie);
        BinaryPrimitives.WriteUInt32BigEndian(b[F.Features..], Features);
        BinaryPrimitives.WriteUInt32BigEndian(b[F.FormatVersion..], FormatVersion);
        BinaryPrimitives.WriteUInt64BigEndian(b[F.DataOffset..], DataOffset);
        BinaryPrimitives.WriteUInt32BigEndian(b[F.Timestamp..], Timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(b[F.CreatorApplication..], CreatorApplication);
        BinaryPrimitives.WriteUInt32BigEndian(b[F.CreatorVersion..], CreatorVersion);
        BinaryPrimitives.WriteUInt32BigEndian(b[F.CreatorHostOs..], CreatorHostOs);
        BinaryPrimitives.WriteUInt64BigEndian(b[F.OriginalSize..], OriginalSize);
        BinaryPrimitives.WriteUInt64BigEndian(b[F.CurrentSize..], CurrentSize);
        BinaryPrimitives.WriteUInt32BigEndian(b[F.DiskGeometry..], Geometry.ToUInt32());
        BinaryPrimitives.WriteUInt32BigEndian(b[F.DiskType..], (uint)DiskType);
        BinaryPrimitives.WriteUInt32BigEndian(b[F.Checksum..], Checksum);
        UniqueId.TryWriteBytes(b.Slice(F.UniqueId, 16), bigEndian: true, out _);
        b[F.SavedState] = SavedState;
        Reserved.Span.CopyTo(b.Slice(F.Reserved, F.ReservedLength));
    }

    /// <summary>Returns a 512-byte encoding.</summary>
    public byte[] ToArray()
    {
        var b = new byte[VhdConstants.FooterSize];
        Write(b);
        return b;
    }

    /// <summary>The checksum these fields should carry.</summary>
    public uint ComputeChecksum()
    {
        Span<byte> b = stackalloc byte[VhdConstants.FooterSize];
        Write(b);
        return VhdChecksum.Compute(b, F.Checksum);
    }

    /// <summary>True if the stored checksum matches the fields.</summary>
    public bool HasValidChecksum => ComputeChecksum() == Checksum;

    /// <summary>A copy with the checksum recomputed.</summary>
    public VhdFooter WithChecksum() => this with { Checksum = ComputeChecksum() };

    /// <summary>Field-by-field equality, reserved bytes compared by content.</summary>
    public bool Equals(VhdFooter? other)
    {
        if (other is null) return false;
        if (ReferenceEquals(this, other)) return true;
        Span<byte> a = stackalloc byte[VhdConstants.FooterSize];
        Span<byte> c = stackalloc byte[VhdConstants.FooterSize];
        Write(a);
        other.Write(c);
        return a.SequenceEqual(c);
    }

    /// <summary>Hash over the encoded bytes.</summary>
    public override int GetHashCode()
    {
        var h = new HashCode();
        h.AddBytes(ToArray());
        return h.ToHashCode();
    }
}
