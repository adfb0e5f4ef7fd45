using Storage.VhdEngine.Disks;
using System.Buffers.Binary;
using Storage.VhdEngine;
using Storage.VhdEngine.Format;
using Xunit;
using F = Storage.VhdEngine.Format.FooterFieldLocations;

namespace Storage.Tests.Engine;

public class VhdFooterTests
{
    private static VhdFooter Sample(int seed)
    {
        var r = new Random(seed);
        var reserved = new byte[F.ReservedLength];
        r.NextBytes(reserved);
        var id = new byte[16];
        r.NextBytes(id);
        return new VhdFooter
        {
            Cookie = BinaryPrimitives.ReadUInt64BigEndian("conectix"u8),
            Features = (uint)r.Next(),
            FormatVersion = 0x00010000,
            DataOffset = (ulong)r.NextInt64(),
            Timestamp = (uint)r.Next(),
            CreatorApplication = FourCc.FromText("qem2"),
            CreatorVersion = (uint)r.Next(),
            CreatorHostOs = FourCc.FromText("Wi2k"),
            OriginalSize = (ulong)r.NextInt64(),
            CurrentSize = (ulong)r.NextInt64(),
            Geometry = new DiskGeometry((ushort)r.Next(65536), (byte)r.Next(256), (byte)r.Next(256)),
            DiskType = (VhdDiskType)r.Next(2, 5),
            Checksum = (uint)r.Next(),
            UniqueId = new Guid(id),
            SavedState = (byte)r.Next(256),
            Reserved = reserved,
        };
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void ParseOfSerializeIsTheSameFooter(int seed)
    {
        var x = Sample(seed);
        var back = VhdFooter.Read(x.ToArray());
        Assert.Equal(x, back);
        Assert.Equal(x.Cookie, back.Cookie);
        Assert.Equal(x.Features, back.Features);
        Assert.Equal(x.FormatVersion, back.FormatVersion);
        Assert.Equal(x.DataOffset, back.DataOffset);
        Assert.Equal(x.Timestamp, back.Timestamp);
        Assert.Equal(x.CreatorApplication, back.CreatorApplication);
        Assert.Equal(x.CreatorVersion, back.CreatorVersion);
        Assert.Equal(x.CreatorHostOs, back.CreatorHostOs);
        Assert.Equal(x.OriginalSize, back.OriginalSize);
        Assert.Equal(x.CurrentSize, back.CurrentSize);
        Assert.Equal(x.Geometry, back.Geometry);
        Assert.Equal(x.DiskType, back.DiskType);
        Assert.Equal(x.Checksum, back.Checksum);
        Assert.Equal(x.UniqueId, back.UniqueId);
        Assert.Equal(x.SavedState, back.SavedState);
        Assert.Equal(x.Reserved.ToArray(), back.Reserved.ToArray());
        Assert.Equal(x.GetHashCode(), back.GetHashCode());
    }

    [Theory]
    [InlineData(10)]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void SerializeOfParseReproducesRandomBytes(int seed)
    {
        var bytes = new byte[VhdConstants.FooterSize];
        new Random(seed).NextBytes(bytes);
        var f = VhdFooter.Read(bytes);
        Assert.Equal(bytes, f.ToArray());
    }

    [Fact]
    public void DifferentReservedBytesMakeDifferentFooters()
    {
        var a = Sample(5);
        var reserved = a.Reserved.ToArray();
        reserved[^1] ^= 1;
        var b = a with { Reserved = reserved };
        Assert.NotEqual(a, b);
        Assert.Equal(a, a with { Reserved = a.Reserved.ToArray() });
    }

    [Fact]
    public void FieldsAreBigEndianAtTheSpecifiedOffsets()
    {
        var b = new byte[512];
        "conectix"u8.CopyTo(b);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(8), 0x00000002);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(12), 0x00010000);
        BinaryPrimitives.WriteUInt64BigEndian(b.AsSpan(16), 512);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(24), 0x288c3827);
        "qemu"u8.CopyTo(b.AsSpan(28));
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(32), 0x00050003);
        "Wi2k"u8.CopyTo(b.AsSpan(36));
        BinaryPrimitives.WriteUInt64BigEndian(b.AsSpan(40), 4212736);
        BinaryPrimitives.WriteUInt64BigEndian(b.AsSpan(48), 4212737);
        b[56] = 0x00; b[57] = 0x79; b[58] = 0x04; b[59] = 0x11;
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(60), 3);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(64), 0xdeadbeef);
        for (int i = 0; i < 16; i++) b[68 + i] = (byte)(0xa0 + i);
        b[84] = 1;
        b[511] = 0x5a;

        var f = VhdFooter.Read(b);
        Assert.True(f.HasValidCookie);
        Assert.Equal(2u, f.Features);
        Assert.Equal(0x00010000u, f.FormatVersion);
        Assert.Equal(512ul, f.DataOffset);
        Assert.Equal(0x288c3827u, f.Timestamp);
        Assert.Equal("qemu", f.CreatorApplicationText);
        Assert.Equal(0x00050003u, f.CreatorVersion);
        Assert.Equal("Wi2k", f.CreatorHostOsText);
        Assert.Equal(4212736ul, f.OriginalSize);
        Assert.Equal(4212737ul, f.CurrentSize);
        Assert.Equal(new DiskGeometry(121, 4, 17), f.Geometry);
        Assert.Equal(VhdDiskType.Dynamic, f.DiskType);
        Assert.Equal(0xdeadbeefu, f.Checksum);
        Assert.Equal(Guid.Parse("a0a1a2a3-a4a5-a6a7-a8a9-aaabacadaeaf"), f.UniqueId);
        Assert.Equal(1, f.SavedState);
        Assert.Equal(0x5a, f.Reserved.Span[^1]);
        Assert.Equal(F.ReservedLength, f.Reserved.Length);
        Assert.Equal(b, f.ToArray());
    }

    [Fact]
    public void ChecksumIsComputedOverTheEncodingWithTheFieldAsZero()
    {
        var f = new VhdFooter { Features = 0, FormatVersion = 0, DataOffset = 0 } with { Checksum = 0x12345678 };
        // Only "conectix" is non-zero: 99+111+110+101+99+116+105+120 = 861 = 0x35D.
        Assert.Equal(~0x35Du, f.ComputeChecksum());
        Assert.False(f.HasValidChecksum);
        var fixedUp = f.WithChecksum();
        Assert.Equal(0xFFFFFCA2u, fixedUp.Checksum);
        Assert.True(fixedUp.HasValidChecksum);
        Assert.Equal(0xFFFFFCA2u, BinaryPrimitives.ReadUInt32BigEndian(fixedUp.ToArray().AsSpan(F.Checksum)));
    }

    [Fact]
    public void BadCookieIsReported()
    {
        var b = Sample(1).ToArray();
        b[0] = (byte)'C';
        Assert.False(VhdFooter.Read(b).HasValidCookie);
    }

    [Fact]
    public void ShortRecordIsAFormatErrorAndShortBufferAnArgumentError()
    {
        // Internal records: a short buffer is a bug in the caller, not a malformed image.
        var e = Assert.Throws<ArgumentException>(() => VhdFooter.Read(new byte[511]));
        Assert.Contains("511", e.Message);
        Assert.Throws<ArgumentException>(() => Sample(1).Write(new byte[100]));
    }

    [Fact]
    public void FourCcTextShowsNulsAndOddBytes()
    {
        Assert.Equal("d2v\\0", FourCc.ToText(FourCc.FromText("d2v")));
        Assert.Equal("wa\\0\\0", FourCc.ToText(FourCc.FromText("wa")));
        Assert.Equal(0x76706320u, FourCc.FromText("vpc "));
        Assert.Equal("\\x01abc", FourCc.ToText(0x01616263));
    }
}
