using System.Buffers.Binary;
using System.Text;
using H = Storage.VhdEngine.Format.DynamicHeaderFieldLocations;

namespace Storage.VhdEngine.Format;

/// <summary>
/// The 1024-byte dynamic disk header. Parsing keeps reserved bytes and the raw parent name
/// field so <see cref="Write"/> reproduces the input exactly.
/// </summary>
internal sealed record DynamicHeader
{
    /// <summary>The cookie every dynamic header starts with.</summary>
    public static ReadOnlySpan<byte> CookieValue => "cxsparse"u8;

    /// <summary>The 8-byte cookie.</summary>
    public ulong Cookie { get; init; } = BinaryPrimitives.ReadUInt64BigEndian(CookieValue);
    /// <summary>Data offset (unused, all ones).</summary>
    public ulong DataOffset { get; init; } = ulong.MaxValue;
    /// <summary>Absolute offset of the BAT.</summary>
    public ulong TableOffset { get; init; }
    /// <summary>Header version.</summary>
    public uint HeaderVersion { get; init; } = VhdConstants.FormatVersion;
    /// <summary>Number of BAT entries.</summary>
    public uint MaxTableEntries { get; init; }
    /// <summary>Bytes of data per block.</summary>
    public uint BlockSize { get; init; } = VhdConstants.DefaultBlockSize;
    /// <summary>The stored checksum.</summary>
    public uint Checksum { get; init; }
    /// <summary>Differencing disks: the parent's footer unique id.</summary>
    public Guid ParentUniqueId { get; init; }
    /// <summary>Differencing disks: the parent's modification time (seconds since 2000).</summary>
    public uint ParentTimestamp { get; init; }
    /// <summary>Reserved u32 at offset 60.</summary>
    public uint Reserved1 { get; init; }
    /// <summary>The raw 512-byte parent name field (UTF-16BE, NUL padded).</summary>
    public ReadOnlyMemory<byte> ParentUnicodeNameBytes { get; init; } = new byte[H.ParentUnicodeNameLength];
    /// <summary>The eight locator entries.</summary>
    public ReadOnlyMemory<ParentLocator> ParentLocators { get; init; } = new ParentLocator[VhdConstants.LocatorCount];
    /// <summary>The 256 trailing reserved bytes.</summary>
    public ReadOnlyMemory<byte> Reserved2 { get; init; } = new byte[H.Reserved2Length];

    /// <summary>True if the cookie is "cxsparse".</summary>
    public bool HasValidCookie => Cookie == BinaryPrimitives.ReadUInt64BigEndian(CookieValue);

    /// <summary>The parent name decoded up to the first NUL.</summary>
    public string ParentUnicodeName
    {
        get
        {
            var span = ParentUnicodeNameBytes.Span;
            int len = 0;
            while (len + 1 < span.Length && (span[len] | span[len + 1]) != 0) len += 2;
            return Encoding.BigEndianUnicode.GetString(span[..len]);
        }
    }

    /// <summary>Encodes a parent name into the 512-byte field (truncated to 255 UTF-16 units).</summary>
    public static byte[] EncodeParentName(string name)
    {
        var field = new byte[H.ParentUnicodeNameLength];
        var chars = name.AsSpan(0, Math.Min(name.Length, H.ParentUnicodeNameLength / 2 - 1));
        Encoding.BigEndianUnicode.GetBytes(chars, field);
        return field;
    }

    /// <summary>Decodes 1024 bytes.</summary>
    public static DynamicHeader Read(ReadOnlySpan<byte> b)
    {
        if (b.Length < VhdConstants.DynamicHeaderSize)
            throw new ArgumentException($"a dynamic header is {VhdConstants.DynamicHeaderSize} bytes; the buffer has {b.Length}", nameof(b));
        var locators = new ParentLocator[VhdConstants.LocatorCount];
        for (int i = 0; i < locators.Length; i++)
            locators[i] = ParentLocator.Read(b.Slice(H.ParentLocators + i * ParentLocatorFieldLocations.Size, ParentLocatorFieldLocations.Size));
        return new DynamicHeader
        {
            Cookie = BinaryPrimitives.ReadUInt64BigEndian(b[H.Cookie..]),
            DataOffset = BinaryPrimitives.ReadUInt64BigEndian(b[H.DataOffset..]),
            TableOffset = BinaryPrimitives.ReadUInt64BigEndian(b[H.TableOffset..]),
            HeaderVersion = BinaryPrimitives.ReadUInt32BigEndian(b[H.HeaderVersion..]),
            MaxTableEntries = BinaryPrimitives.ReadUInt32BigEndian(b[H.MaxTableEntries..]),
            BlockSize = BinaryPrimitives.ReadUInt32BigEndian(b[H.BlockSize..]),
            Checksum = BinaryPrimitives.ReadUInt32BigEndian(b[H.Checksum..]),
            ParentUniqueId = new Guid(b.Slice(H.ParentUniqueId, 16), bigEndian: true),
            ParentTimestamp = BinaryPrimitives.ReadUInt32BigEndian(b[H.ParentTimestamp..]),
            Reserved1 = BinaryPrimitives.ReadUInt32BigEndian(b[H.Reserved1..]),
            ParentUnicodeNameBytes = b.Slice(H.ParentUnicodeName, H.ParentUnicodeNameLength).ToArray(),
            ParentLocators = locators,
            Reserved2 = b.Slice(H.Reserved2, H.Reserved2Length).ToArray(),
        };
    }

    /// <summary>Encodes into 1024 bytes exactly as the fields say.</summary>
    public void Write(Span<byte> b)
    {
        if (b.Length < VhdConstants.DynamicHeaderSize)
            throw new ArgumentException($"a dynamic header is {VhdConstants.DynamicHeaderSize} bytes; the buffer has {b.Length}", nameof(b));
        BinaryPrimitives.WriteUInt64BigEndian(b[H.Cookie..], Cookie);
        BinaryPrimitives.WriteUInt64BigEndian(b[H.DataOffset..], DataOffset);
        BinaryPrimitives.WriteUInt64BigEndian(b[H.TableOffset..], TableOffset);
        BinaryPrimitives.WriteUInt32BigEndian(b[H.HeaderVersion..], HeaderVersion);
        BinaryPrimitives.WriteUInt32BigEndian(b[H.MaxTableEntries..], MaxTableEntries);
        BinaryPrimitives.WriteUInt32BigEndian(b[H.BlockSize..], BlockSize);
        BinaryPrimitives.WriteUInt32BigEndian(b[H.Checksum..], Checksum);
        ParentUniqueId.TryWriteBytes(b.Slice(H.ParentUniqueId, 16), bigEndian: true, out _);
        BinaryPrimitives.WriteUInt32BigEndian(b[H.ParentTimestamp..], ParentTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(b[H.Reserved1..], Reserved1);
        ParentUnicodeNameBytes.Span.CopyTo(b.Slice(H.ParentUnicodeName, H.ParentUnicodeNameLength));
        var locators = ParentLocators.Span;
        for (int i = 0; i < VhdConstants.LocatorCount; i++)
        {
            var slot = b.Slice(H.ParentLocators + i * ParentLocatorFieldLocations.Size, ParentLocatorFieldLocations.Size);
            if (i < locators.Length) locators[i].Write(slot); else slot.Clear();
        }
        Reserved2.Span.CopyTo(b.Slice(H.Reserved2, H.Reserved2Length));
    }

    /// <summary>Returns a 1024-byte encoding.</summary>
    public byte[] ToArray()
    {
        var b = new byte[VhdConstants.DynamicHeaderSize];
        Write(b);
        return b;
    }

    /// <summary>The checksum these fields should carry.</summary>
    public uint ComputeChecksum()
    {
        Span<byte> b = stackalloc byte[VhdConstants.DynamicHeaderSize];
        Write(b);
        return VhdChecksum.Compute(b, H.Checksum);
    }

    /// <summary>True if the stored checksum matches the fields.</summary>
    public bool HasValidChecksum => ComputeChecksum() == Checksum;

    /// <summary>A copy with the checksum recomputed.</summary>
    public DynamicHeader WithChecksum() => this with { Checksum = ComputeChecksum() };

    /// <summary>Equality of the encoded bytes.</summary>
    public bool Equals(DynamicHeader? other)
    {
        if (other is null) return false;
        if (ReferenceEquals(this, other)) return true;
        return ToArray().AsSpan().SequenceEqual(other.ToArray());
    }

    /// <summary>Hash over the encoded bytes.</summary>
    public override int GetHashCode()
    {
        var h = new HashCode();
        h.AddBytes(ToArray());
        return h.ToHashCode();
    }
}
