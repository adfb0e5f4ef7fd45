using System.Buffers.Binary;
using System.Text;
using Storage.VhdEngine;
using Storage.VhdEngine.Format;
using Xunit;
using H = Storage.VhdEngine.Format.DynamicHeaderFieldLocations;

namespace Storage.Tests.Engine;

public class DynamicHeaderTests
{
    private static DynamicHeader Sample(int seed)
    {
        var r = new Random(seed);
        var name = new byte[H.ParentUnicodeNameLength];
        r.NextBytes(name);
        var reserved2 = new byte[H.Reserved2Length];
        r.NextBytes(reserved2);
        var locators = new ParentLocator[VhdConstants.LocatorCount];
        for (int i = 0; i < locators.Length; i++)
            locators[i] = new ParentLocator((uint)r.Next(), (uint)r.Next(), (uint)r.Next(), (uint)r.Next(), (ulong)r.NextInt64());
        var id = new byte[16];
        r.NextBytes(id);
        return new DynamicHeader
        {
            Cookie = BinaryPrimitives.ReadUInt64BigEndian("cxsparse"u8),
            DataOffset = (ulong)r.NextInt64(),
            TableOffset = (ulong)r.NextInt64(),
            HeaderVersion = (uint)r.Next(),
            MaxTableEntries = (uint)r.Next(),
            BlockSize = (uint)r.Next(),
            Checksum = (uint)r.Next(),
            ParentUniqueId = new Guid(id),
            ParentTimestamp = (uint)r.Next(),
            Reserved1 = (uint)r.Next(),
            ParentUnicodeNameBytes = name,
            ParentLocators = locators,
            Reserved2 = reserved2,
        };
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void ParseOfSerializeIsTheSameHeader(int seed)
    {
        var x = Sample(seed);
        var back = DynamicHeader.Read(x.ToArray());
        Assert.Equal(x, back);
        Assert.Equal(x.Cookie, back.Cookie);
        Assert.Equal(x.DataOffset, back.DataOffset);
        Assert.Equal(x.TableOffset, back.TableOffset);
        Assert.Equal(x.HeaderVersion, back.HeaderVersion);
        Assert.Equal(x.MaxTableEntries, back.MaxTableEntries);
        Assert.Equal(x.BlockSize, back.BlockSize);
        Assert.Equal(x.Checksum, back.Checksum);
        Assert.Equal(x.ParentUniqueId, back.ParentUniqueId);
        Assert.Equal(x.ParentTimestamp, back.ParentTimestamp);
        Assert.Equal(x.Reserved1, back.Reserved1);
        Assert.Equal(x.ParentUnicodeNameBytes.ToArray(), back.ParentUnicodeNameBytes.ToArray());
        Assert.Equal(x.ParentLocators.ToArray(), back.ParentLocators.ToArray());
        Assert.Equal(x.Reserved2.ToArray(), back.Reserved2.ToArray());
        Assert.Equal(x.GetHashCode(), back.GetHashCode());
    }

    [Theory]
    [InlineData(10)]
    [InlineData(11)]
    [InlineData(12)]
    public void SerializeOfParseReproducesRandomBytes(int seed)
    {
        var bytes = new byte[VhdConstants.DynamicHeaderSize];
        new Random(seed).NextBytes(bytes);
        Assert.Equal(bytes, DynamicHeader.Read(bytes).ToArray());
    }

    [Fact]
    public void FieldsAreBigEndianAtTheSpecifiedOffsets()
    {
        var b = new byte[1024];
        "cxsparse"u8.CopyTo(b);
        BinaryPrimitives.WriteUInt64BigEndian(b.AsSpan(8), ulong.MaxValue);
        BinaryPrimitives.WriteUInt64BigEndian(b.AsSpan(16), 1536);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(24), 0x00010000);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(28), 65024);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(32), 0x00200000);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(36), 0xcafef00d);
        for (int i = 0; i < 16; i++) b[40 + i] = (byte)(0x10 + i);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(56), 77);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(60), 0x01020304);
        Encoding.BigEndianUnicode.GetBytes("C:\\p\\parent.vhd").CopyTo(b, 64);
        // Locator 1: W2ru, space 512, length 30, offset 0x2000.
        int l1 = 576 + 24;
        "W2ru"u8.CopyTo(b.AsSpan(l1));
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(l1 + 4), 512);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(l1 + 8), 30);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(l1 + 12), 9);
        BinaryPrimitives.WriteUInt64BigEndian(b.AsSpan(l1 + 16), 0x2000);
        b[1023] = 0x77;

        var h = DynamicHeader.Read(b);
        Assert.True(h.HasValidCookie);
        Assert.Equal(ulong.MaxValue, h.DataOffset);
        Assert.Equal(1536ul, h.TableOffset);
        Assert.Equal(0x00010000u, h.HeaderVersion);
        Assert.Equal(65024u, h.MaxTableEntries);
        Assert.Equal(2u * 1024 * 1024, h.BlockSize);
        Assert.Equal(0xcafef00du, h.Checksum);
        Assert.Equal(Guid.Parse("10111213-1415-1617-1819-1a1b1c1d1e1f"), h.ParentUniqueId);
        Assert.Equal(77u, h.ParentTimestamp);
        Assert.Equal(0x01020304u, h.Reserved1);
        Assert.Equal("C:\\p\\parent.vhd", h.ParentUnicodeName);
        var locs = h.ParentLocators.Span;
        Assert.Equal(8, locs.Length);
        Assert.True(locs[0].IsEmpty);
        Assert.Equal(new ParentLocator(ParentLocator.W2ru, 512, 30, 9, 0x2000), locs[1]);
        Assert.Equal(0x77, h.Reserved2.Span[^1]);
        Assert.Equal(b, h.ToArray());
    }

    [Fact]
    public void ChecksumIsComputedOverTheEncodingWithTheFieldAsZero()
    {
        var h = new DynamicHeader { DataOffset = 0, HeaderVersion = 0, BlockSize = 0, Checksum = 0xffffffff };
        // Only "cxsparse" is non-zero: 99+120+115+112+97+114+115+101 = 873 = 0x369.
        Assert.Equal(~0x369u, h.ComputeChecksum());
        Assert.False(h.HasValidChecksum);
        var fixedUp = h.WithChecksum();
        Assert.True(fixedUp.HasValidChecksum);
        Assert.Equal(0xFFFFFC96u, BinaryPrimitives.ReadUInt32BigEndian(fixedUp.ToArray().AsSpan(H.Checksum)));
        // A reserved byte takes part in the sum.
        var reserved = new byte[H.Reserved2Length];
        reserved[100] = 1;
        Assert.False((fixedUp with { Reserved2 = reserved }).HasValidChecksum);
    }

    [Fact]
    public void ParentNameEncodesAsUtf16BigEndianTruncatedTo255Units()
    {
        var field = DynamicHeader.EncodeParentName("Ab\u00e9");
        Assert.Equal(512, field.Length);
        Assert.Equal(new byte[] { 0, (byte)'A', 0, (byte)'b', 0, 0xe9, 0, 0 }, field[..8]);
        Assert.Equal("Ab\u00e9", new DynamicHeader { ParentUnicodeNameBytes = field }.ParentUnicodeName);

        var longName = new string('x', 400);
        var f2 = DynamicHeader.EncodeParentName(longName);
        Assert.Equal(512, f2.Length);
        Assert.Equal(0, f2[510] | f2[511]);
        Assert.Equal(new string('x', 255), new DynamicHeader { ParentUnicodeNameBytes = f2 }.ParentUnicodeName);
    }

    [Fact]
    public void FewerLocatorsThanEightSerializeAsEmptyEntries()
    {
        var h = new DynamicHeader { ParentLocators = new[] { new ParentLocator(ParentLocator.W2ku, 1, 2, 3, 4) } };
        var b = h.ToArray();
        var back = DynamicHeader.Read(b);
        Assert.Equal(new ParentLocator(ParentLocator.W2ku, 1, 2, 3, 4), back.ParentLocators.Span[0]);
        for (int i = 1; i < 8; i++) Assert.True(back.ParentLocators.Span[i].IsEmpty);
    }

    [Fact]
    public void ShortRecordIsAFormatErrorAndShortBufferAnArgumentError()
    {
        // Internal records: a short buffer is a bug in the caller, not a malformed image.
        var e = Assert.Throws<ArgumentException>(() => DynamicHeader.Read(new byte[1000]));
        Assert.Contains("1000", e.Message);
        Assert.Throws<ArgumentException>(() => Sample(1).Write(new byte[1023]));
    }
}
