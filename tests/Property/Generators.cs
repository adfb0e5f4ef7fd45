using Storage.VhdEngine.Disks;
using System.Buffers.Binary;
using CsCheck;
using Storage.VhdEngine.Format;

namespace Storage.Tests.Property;

/// <summary>Generators of on-disk records with every field drawn, boundary values favoured.</summary>
internal static class Generators
{
    /// <summary>Any u32, often a boundary.</summary>
    public static readonly Gen<uint> U32 = Gen.Frequency(
        (3, Gen.UInt),
        (1, Gen.OneOf(0u, 1u, 2u, 3u, 4u, 0x200u, 0x10000u, 0x7FFF_FFFFu, 0x8000_0000u, 0xFFFF_FFFEu, uint.MaxValue)));

    /// <summary>Any u64, often a boundary.</summary>
    public static readonly Gen<ulong> U64 = Gen.Frequency(
        (3, Gen.ULong),
        (1, Gen.OneOf<ulong>(0UL, 1UL, 512UL, 0x1_0000_0000UL, 2040UL << 30, 2041UL << 30, 1UL << 41, long.MaxValue, 0x8000_0000_0000_0000UL, ulong.MaxValue)));

    /// <summary>A Guid from 16 random bytes.</summary>
    public static readonly Gen<Guid> Guids = Gen.Byte.Array[16].Select(b => new Guid(b));

    /// <summary>A geometry: any fields.</summary>
    public static readonly Gen<DiskGeometry> Geometry = Gen.Select(Gen.UShort, Gen.Byte, Gen.Byte, (c, h, s) => new DiskGeometry(c, h, s));

    /// <summary>Bytes of a fixed length.</summary>
    public static Gen<byte[]> Bytes(int length) => Gen.Frequency((3, Gen.Byte.Array[length]), (1, Gen.Const(0).Select(_ => new byte[length])));

    /// <summary>A footer with every field drawn (cookie valid most of the time).</summary>
    public static readonly Gen<VhdFooter> Footer =
        Gen.Select(
            Gen.Frequency((4, Gen.Const(BinaryPrimitives.ReadUInt64BigEndian(VhdFooter.CookieValue))), (1, Gen.ULong)),
            U32, U32, U64, U32, U32, U32, U32)
        .SelectMany(a => Gen.Select(U64, U64, Geometry, U32, U32, Guids, Gen.Byte, Bytes(FooterFieldLocations.ReservedLength),
            (orig, cur, geo, type, sum, id, saved, reserved) => new VhdFooter
            {
                Cookie = a.Item1,
                Features = a.Item2,
                FormatVersion = a.Item3,
                DataOffset = a.Item4,
                Timestamp = a.Item5,
                CreatorApplication = a.Item6,
                CreatorVersion = a.Item7,
                CreatorHostOs = a.Item8,
                OriginalSize = orig,
                CurrentSize = cur,
                Geometry = geo,
                DiskType = (VhdDiskType)type,
                Checksum = sum,
                UniqueId = id,
                SavedState = saved,
                Reserved = reserved,
            }));

    /// <summary>A parent locator with every field drawn.</summary>
    public static readonly Gen<ParentLocator> Locator = Gen.Select(
        Gen.Frequency((2, Gen.OneOf(ParentLocator.W2ku, ParentLocator.W2ru, ParentLocator.MacX, ParentLocator.Wi2k, ParentLocator.Wi2r, 0u)), (1, U32)),
        U32, U32, U32, U64,
        (code, space, length, reserved, offset) => new ParentLocator(code, space, length, reserved, offset));

    /// <summary>A dynamic header with every field drawn.</summary>
    public static readonly Gen<DynamicHeader> Header =
        Gen.Select(
            Gen.Frequency((4, Gen.Const(BinaryPrimitives.ReadUInt64BigEndian(DynamicHeader.CookieValue))), (1, Gen.ULong)),
            U64, U64, U32, U32, U32, U32, Guids)
        .SelectMany(a => Gen.Select(U32, U32, Bytes(DynamicHeaderFieldLocations.ParentUnicodeNameLength), Locator.Array[VhdConstants.LocatorCount],
            Bytes(DynamicHeaderFieldLocations.Reserved2Length),
            (time, reserved1, name, locators, reserved2) => new DynamicHeader
            {
                Cookie = a.Item1,
                DataOffset = a.Item2,
                TableOffset = a.Item3,
                HeaderVersion = a.Item4,
                MaxTableEntries = a.Item5,
                BlockSize = a.Item6,
                Checksum = a.Item7,
                ParentUniqueId = a.Item8,
                ParentTimestamp = time,
                Reserved1 = reserved1,
                ParentUnicodeNameBytes = name,
                ParentLocators = locators,
                Reserved2 = reserved2,
            }));

    /// <summary>512 random bytes with the footer cookie set and the checksum fixed.</summary>
    public static readonly Gen<byte[]> ValidFooterBytes = Gen.Byte.Array[VhdConstants.FooterSize].Select(b =>
    {
        VhdFooter.CookieValue.CopyTo(b);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(FooterFieldLocations.Checksum), VhdChecksum.Compute(b, FooterFieldLocations.Checksum));
        return b;
    });

    /// <summary>1024 random bytes with the header cookie set and the checksum fixed.</summary>
    public static readonly Gen<byte[]> ValidHeaderBytes = Gen.Byte.Array[VhdConstants.DynamicHeaderSize].Select(b =>
    {
        DynamicHeader.CookieValue.CopyTo(b);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(DynamicHeaderFieldLocations.Checksum), VhdChecksum.Compute(b, DynamicHeaderFieldLocations.Checksum));
        return b;
    });
}
