using System.Buffers.Binary;
using Storage.Tests.Engine.Support;
using Storage.VhdEngine.Format;
using Xunit;

namespace Storage.Tests.Engine;

public class VhdChecksumTests(SamplesFixture samples) : IClassFixture<SamplesFixture>
{
    [Fact]
    public void OnesComplementOfTheByteSum()
    {
        Assert.Equal(0xFFFFFFFFu, VhdChecksum.Compute(new byte[512], 64));
        Assert.Equal(~6u, VhdChecksum.Compute(new byte[] { 1, 2, 3 }, 100));
        // 508 bytes of 0xFF counted (the 4 checksum bytes skipped): 508 * 255 = 129540 = 0x1FA04.
        var ff = Enumerable.Repeat((byte)0xFF, 512).ToArray();
        Assert.Equal(0xFFFE05FBu, VhdChecksum.Compute(ff, 64));
    }

    [Fact]
    public void TheFourChecksumBytesAreSkippedAndNoOthers()
    {
        var b = new byte[16];
        for (int i = 0; i < b.Length; i++) b[i] = (byte)(i + 1);
        // Sum of 1..16 = 136; skipping bytes at 4..7 (values 5..8 = 26) leaves 110.
        Assert.Equal(~110u, VhdChecksum.Compute(b, 4));
        // Skipping at 0: bytes 1..4 skipped (10) -> 126; at 12: 13..16 skipped (58) -> 78.
        Assert.Equal(~126u, VhdChecksum.Compute(b, 0));
        Assert.Equal(~78u, VhdChecksum.Compute(b, 12));
    }

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void RealSampleFootersAndHeadersCarryTheComputedChecksum(string name)
    {
        string path = samples.Get(name);
        byte[] end = new byte[512], copy = new byte[512], header = new byte[1024];
        using (var f = File.OpenRead(path))
        {
            f.Position = f.Length - 512;
            f.ReadExactly(end);
            f.Position = 0;
            f.ReadExactly(copy);
            f.Position = (long)BinaryPrimitives.ReadUInt64BigEndian(copy.AsSpan(16));
            f.ReadExactly(header);
        }
        Assert.Equal(BinaryPrimitives.ReadUInt32BigEndian(end.AsSpan(64)), VhdChecksum.Compute(end, FooterFieldLocations.Checksum));
        Assert.Equal(BinaryPrimitives.ReadUInt32BigEndian(copy.AsSpan(64)), VhdChecksum.Compute(copy, FooterFieldLocations.Checksum));
        Assert.Equal(BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(36)), VhdChecksum.Compute(header, DynamicHeaderFieldLocations.Checksum));

        var footer = VhdFooter.Read(end);
        Assert.True(footer.HasValidCookie);
        Assert.True(footer.HasValidChecksum);
        Assert.Equal(end, footer.ToArray());
        var h = DynamicHeader.Read(header);
        Assert.True(h.HasValidCookie);
        Assert.True(h.HasValidChecksum);
        Assert.Equal(header, h.ToArray());

        // One changed byte breaks it.
        end[100] ^= 0x40;
        Assert.False(VhdFooter.Read(end).HasValidChecksum);
    }

    public static TheoryData<string> SampleNames() => new(SamplesFixture.Vhds);

    public static TheoryData<string> BadSampleNames() => new(SamplesFixture.BadChecksumVhds);

    [Theory]
    [MemberData(nameof(BadSampleNames))]
    public void DfvfsSamplesCarryStaleFooterChecksums(string name)
    {
        var bytes = samples.Bytes(name);
        var end = bytes.AsSpan(bytes.Length - 512);
        uint stored = BinaryPrimitives.ReadUInt32BigEndian(end[64..]);
        Assert.Equal(0xfffff683u, stored);
        Assert.NotEqual(stored, VhdChecksum.Compute(end, FooterFieldLocations.Checksum));
        Assert.False(VhdFooter.Read(end).HasValidChecksum);
        Assert.Equal(end.ToArray(), VhdFooter.Read(end).ToArray());
    }
}
