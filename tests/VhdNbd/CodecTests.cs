using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Storage.Tests.VhdNbd.Infrastructure;
using Storage.VhdNbd.Protocol;
using Xunit;

namespace Storage.Tests.VhdNbd;

/// <summary>The protocol codec: fixed frames, option data, strings.</summary>
public sealed class CodecTests
{
    private static byte[] RequestBytes(uint magic = 0x25609513, ushort flags = 1, ushort type = 1, ulong cookie = 0x0102030405060708, ulong offset = 0x1122334455667788, uint length = 0xAABBCCDD)
    {
        var b = new byte[28];
        BinaryPrimitives.WriteUInt32BigEndian(b, magic);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(4), flags);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(6), type);
        BinaryPrimitives.WriteUInt64BigEndian(b.AsSpan(8), cookie);
        BinaryPrimitives.WriteUInt64BigEndian(b.AsSpan(16), offset);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(24), length);
        return b;
    }

    [Theory]
    [InlineData(new int[0])]
    [InlineData(new[] { 1 })]
    [InlineData(new[] { 4, 8, 27 })]
    [InlineData(new[] { 13, 14, 15, 16 })]
    public void A_request_header_decodes_whole_or_in_pieces(int[] cuts)
    {
        Assert.True(NbdCodec.TryReadRequest(Segments.Split(RequestBytes(), cuts), out var r));
        Assert.Equal(new NbdRequest(NbdCommandFlags.Fua, NbdCommand.Write, 0x0102030405060708, 0x1122334455667788, 0xAABBCCDD), r);
    }

    [Fact]
    public void A_short_request_header_is_not_a_request_yet_and_a_bad_magic_is_a_protocol_error()
    {
        Assert.False(NbdCodec.TryReadRequest(new ReadOnlySequence<byte>(RequestBytes()[..27]), out _));
        var e = Assert.Throws<NbdProtocolException>(() => NbdCodec.TryReadRequest(new ReadOnlySequence<byte>(RequestBytes(magic: 0x12560953)), out _));
        Assert.Contains("0x12560953", e.Message);
    }

    [Fact]
    public void An_option_header_decodes_and_checks_its_magic()
    {
        var b = new byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(b, 0x49484156454F5054);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(8), 7);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(12), 300);
        Assert.True(NbdCodec.TryReadOptionHeader(Segments.Split(b, 3, 9), out var h));
        Assert.Equal(new NbdOptionHeader(7, 300), h);
        Assert.False(NbdCodec.TryReadOptionHeader(new ReadOnlySequence<byte>(b[..15]), out _));
        b[0] = 0;
        Assert.Throws<NbdProtocolException>(() => NbdCodec.TryReadOptionHeader(new ReadOnlySequence<byte>(b), out _));
    }

    [Fact]
    public void The_greeting_and_the_export_name_reply_are_byte_exact()
    {
        var w = new ArrayBufferWriter<byte>();
        NbdCodec.WriteGreeting(w);
        Assert.Equal(Convert.FromHexString("4E42444D41474943" + "49484156454F5054" + "0003"), w.WrittenSpan.ToArray());
        w.Clear();
        NbdCodec.WriteExportNameReply(w, 0x1000, NbdTransmissionFlags.HasFlags | NbdTransmissionFlags.ReadOnly, noZeroes: false);
        Assert.Equal(134, w.WrittenCount);
        Assert.Equal(Convert.FromHexString("0000000000001000" + "0003"), w.WrittenSpan[..10].ToArray());
        Assert.True(w.WrittenSpan[10..].IndexOfAnyExcept((byte)0) < 0);
        w.Clear();
        NbdCodec.WriteExportNameReply(w, 1, NbdTransmissionFlags.HasFlags, noZeroes: true);
        Assert.Equal(10, w.WrittenCount);
    }

    [Fact]
    public void Replies_are_byte_exact()
    {
        var s = new byte[20];
        NbdCodec.WriteSimpleReply(s, NbdError.Invalid, 0x0A0B);
        Assert.Equal(Convert.FromHexString("67446698" + "00000016" + "0000000000000A0B"), s[..16]);
        NbdCodec.WriteChunkHeader(s, NbdCodec.ReplyFlagDone, NbdReplyType.BlockStatus, 5, 12);
        Assert.Equal(Convert.FromHexString("668E33EF" + "0001" + "0005" + "0000000000000005" + "0000000C"), s);
        var w = new ArrayBufferWriter<byte>();
        NbdCodec.WriteOptionReplyHeader(w, 7, NbdOptionReply.ErrorUnknown, 3);
        Assert.Equal(Convert.FromHexString("0003E889045565A9" + "00000007" + "80000006" + "00000003"), w.WrittenSpan.ToArray());
    }

    [Theory]
    [InlineData("short message", 13)]
    [InlineData("é", 4096)]
    [InlineData("x", 4096)]
    [InlineData("😀", 4096)]
    public void An_error_chunk_carries_its_message_clipped_to_4096_bytes_of_valid_utf8(string unit, int expectedBytes)
    {
        string message = unit.Length > 2 ? unit : string.Concat(Enumerable.Repeat(unit, 5000));
        var w = new ArrayBufferWriter<byte>();
        NbdCodec.WriteErrorChunk(w, 9, NbdError.Io, message);
        var b = w.WrittenSpan;
        Assert.Equal(0x8001, BinaryPrimitives.ReadUInt16BigEndian(b[6..]));
        uint length = BinaryPrimitives.ReadUInt32BigEndian(b[16..]);
        Assert.Equal(5u, BinaryPrimitives.ReadUInt32BigEndian(b[20..]));
        int messageLength = BinaryPrimitives.ReadUInt16BigEndian(b[24..]);
        Assert.Equal(length, (uint)(6 + messageLength));
        Assert.Equal(20 + (int)length, b.Length);
        Assert.InRange(messageLength, expectedBytes - 3, expectedBytes);
        Assert.True(NbdStrings.TryDecode(b[26..], out string? text));
        Assert.StartsWith(text, message);
    }

    [Fact]
    public void Info_requests_parse_and_malformed_ones_are_refused()
    {
        byte[] Info(string name, ushort[] items, int extra = 0, int nameLengthDelta = 0)
        {
            var n = Encoding.UTF8.GetBytes(name);
            var b = new byte[6 + n.Length + 2 * items.Length + extra];
            BinaryPrimitives.WriteUInt32BigEndian(b, (uint)(n.Length + nameLengthDelta));
            n.CopyTo(b, 4);
            BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(4 + n.Length), (ushort)items.Length);
            for (int i = 0; i < items.Length; i++) BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(6 + n.Length + 2 * i), items[i]);
            return b;
        }
        Assert.True(NbdOptionParser.TryParseInfoRequest(Info("vms/web.vhd", [3, 1, 77]), out var r));
        Assert.Equal(new NbdInfoRequest("vms/web.vhd", WantsName: true, WantsDescription: false, WantsBlockSize: true), r);
        Assert.True(NbdOptionParser.TryParseInfoRequest(Info("", []), out r));
        Assert.Equal("", r.Name);
        Assert.False(NbdOptionParser.TryParseInfoRequest(Info("a", [1], extra: 1), out _));
        Assert.False(NbdOptionParser.TryParseInfoRequest(Info("a", [1], nameLengthDelta: 100), out _));
        Assert.False(NbdOptionParser.TryParseInfoRequest(Info("a", [1])[..^1], out _));
        Assert.False(NbdOptionParser.TryParseInfoRequest([0, 0, 0], out _));
        var badUtf8 = Info("ab", []);
        badUtf8[4] = 0xC3;
        badUtf8[5] = 0x28;
        Assert.False(NbdOptionParser.TryParseInfoRequest(badUtf8, out _));
        Assert.False(NbdOptionParser.TryParseInfoRequest(Info("a\0b", []), out _));
        Assert.False(NbdOptionParser.TryParseInfoRequest(Info(new string('n', 4097), []), out _));
    }

    [Fact]
    public void Meta_context_requests_parse_and_malformed_ones_are_refused()
    {
        var queries = new List<string>();
        Assert.True(NbdOptionParser.TryParseMetaContextRequest(RawNbdClient.MetaContextData("a.vhd", "base:allocation", "qemu:x"), out string export, queries));
        Assert.Equal("a.vhd", export);
        Assert.Equal(["base:allocation", "qemu:x"], queries);
        var data = RawNbdClient.MetaContextData("a.vhd", "base:allocation");
        Assert.False(NbdOptionParser.TryParseMetaContextRequest(data[..^1], out _, []));
        Assert.False(NbdOptionParser.TryParseMetaContextRequest([.. data, 0], out _, []));
        var lie = (byte[])data.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(lie.AsSpan(9), 0xFFFFFFFF); // query count
        Assert.False(NbdOptionParser.TryParseMetaContextRequest(lie, out _, []));
        Assert.False(NbdOptionParser.TryParseMetaContextRequest([0, 0, 0, 1, (byte)'a'], out _, []));
    }
}
