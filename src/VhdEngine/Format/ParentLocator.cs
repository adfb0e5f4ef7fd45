using System.Buffers.Binary;
using L = Storage.VhdEngine.Format.ParentLocatorFieldLocations;

namespace Storage.VhdEngine.Format;

/// <summary>One parent locator entry of the dynamic header.</summary>
internal readonly record struct ParentLocator(uint PlatformCode, uint PlatformDataSpace, uint PlatformDataLength, uint Reserved, ulong PlatformDataOffset)
{
    /// <summary>Absolute Windows path, UTF-16LE.</summary>
    public static readonly uint W2ku = FourCc.FromText("W2ku");
    /// <summary>Relative Windows path, UTF-16LE.</summary>
    public static readonly uint W2ru = FourCc.FromText("W2ru");
    /// <summary>Mac OS X file URL, UTF-8.</summary>
    public static readonly uint MacX = FourCc.FromText("MacX");
    /// <summary>Deprecated Windows absolute path (ANSI).</summary>
    public static readonly uint Wi2k = FourCc.FromText("Wi2k");
    /// <summary>Deprecated Windows relative path (ANSI).</summary>
    public static readonly uint Wi2r = FourCc.FromText("Wi2r");

    /// <summary>True for an empty entry.</summary>
    public bool IsEmpty => PlatformCode == 0;

    /// <summary>
    /// The data space in bytes: Microsoft's tools write bytes, the specification says sectors,
    /// so a value under 512 is taken as sectors.
    /// </summary>
    public long DataSpaceBytes => PlatformDataSpace < VhdConstants.SectorSize ? (long)PlatformDataSpace * VhdConstants.SectorSize : PlatformDataSpace;

    /// <summary>Decodes 24 bytes.</summary>
    public static ParentLocator Read(ReadOnlySpan<byte> b) => new(
        BinaryPrimitives.ReadUInt32BigEndian(b[L.PlatformCode..]),
        BinaryPrimitives.ReadUInt32BigEndian(b[L.PlatformDataSpace..]),
        BinaryPrimitives.ReadUInt32BigEndian(b[L.PlatformDataLength..]),
        BinaryPrimitives.ReadUInt32BigEndian(b[L.Reserved..]),
        BinaryPrimitives.ReadUInt64BigEndian(b[L.PlatformDataOffset..]));

    /// <summary>Encodes 24 bytes.</summary>
    public void Write(Span<byte> b)
    {
        BinaryPrimitives.WriteUInt32BigEndian(b[L.PlatformCode..], PlatformCode);
        BinaryPrimitives.WriteUInt32BigEndian(b[L.PlatformDataSpace..], PlatformDataSpace);
        BinaryPrimitives.WriteUInt32BigEndian(b[L.PlatformDataLength..], PlatformDataLength);
        BinaryPrimitives.WriteUInt32BigEndian(b[L.Reserved..], Reserved);
        BinaryPrimitives.WriteUInt64BigEndian(b[L.PlatformDataOffset..], PlatformDataOffset);
    }

    /// <summary>The platform code as text.</summary>
    public string PlatformCodeText => FourCc.ToText(PlatformCode);
}
