using System.Buffers.Binary;
using Storage.VhdEngine.Format;
using Xunit;

namespace Storage.Tests.Engine;

public class ParentLocatorTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void SerializeOfParseReproducesRandomBytes(int seed)
    {
        var b = new byte[ParentLocatorFieldLocations.Size];
        new Random(seed).NextBytes(b);
        var l = ParentLocator.Read(b);
        var back = new byte[ParentLocatorFieldLocations.Size];
        l.Write(back);
        Assert.Equal(b, back);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void ParseOfSerializeIsTheSameLocator(int seed)
    {
        var r = new Random(seed);
        var x = new ParentLocator((uint)r.Next(), (uint)r.Next(), (uint)r.Next(), (uint)r.Next(), (ulong)r.NextInt64());
        var b = new byte[24];
        x.Write(b);
        Assert.Equal(x, ParentLocator.Read(b));
    }

    [Fact]
    public void FieldsAreBigEndianAtTheSpecifiedOffsets()
    {
        var b = new byte[24];
        "W2ku"u8.CopyTo(b);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4), 4096);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(8), 84);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(12), 0xabcdef01);
        BinaryPrimitives.WriteUInt64BigEndian(b.AsSpan(16), 0x123456789a);
        var l = ParentLocator.Read(b);
        Assert.Equal(ParentLocator.W2ku, l.PlatformCode);
        Assert.Equal("W2ku", l.PlatformCodeText);
        Assert.Equal(4096u, l.PlatformDataSpace);
        Assert.Equal(84u, l.PlatformDataLength);
        Assert.Equal(0xabcdef01u, l.Reserved);
        Assert.Equal(0x123456789aul, l.PlatformDataOffset);
        Assert.False(l.IsEmpty);
        Assert.True(ParentLocator.Read(new byte[24]).IsEmpty);
    }

    [Fact]
    public void PlatformCodesAreTheirAsciiBytes()
    {
        Assert.Equal(0x57326B75u, ParentLocator.W2ku);
        Assert.Equal(0x57327275u, ParentLocator.W2ru);
        Assert.Equal(0x4D616358u, ParentLocator.MacX);
        Assert.Equal(0x5769326Bu, ParentLocator.Wi2k);
        Assert.Equal(0x57693272u, ParentLocator.Wi2r);
    }

    [Theory]
    [InlineData(0u, 0L)]
    [InlineData(1u, 512L)]
    [InlineData(8u, 4096L)]
    [InlineData(511u, 511L * 512)]
    [InlineData(512u, 512L)]
    [InlineData(4096u, 4096L)]
    [InlineData(65536u, 65536L)]
    public void DataSpaceUnder512IsSectorsOtherwiseBytes(uint space, long bytes) =>
        Assert.Equal(bytes, new ParentLocator(ParentLocator.W2ru, space, 0, 0, 0).DataSpaceBytes);
}
