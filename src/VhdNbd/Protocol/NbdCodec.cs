using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Storage.VhdNbd.Protocol;

/// <summary>
/// Encodes and decodes the protocol's fixed-size frames (handshake, option headers and replies,
/// request headers, simple replies, structured reply chunk headers), big-endian throughout.
/// Decoders read from a <see cref="ReadOnlySequence{T}"/> and say whether a whole frame was there;
/// encoders write into spans or buffer writers, so nothing is allocated per frame.
/// </summary>
internal static class NbdCodec
{
    /// <summary>Bytes of the server's greeting: password, IHAVEOPT, handshake flags.</summary>
    public const int GreetingSize = 18;

    /// <summary>Bytes of a client option header.</summary>
    public const int OptionHeaderSize = 16;

    /// <summary>Bytes of an option reply header.</summary>
    public const int OptionReplyHeaderSize = 20;

    /// <summary>Bytes of a request header.</summary>
    public const int RequestSize = 28;

    /// <summary>Bytes of a simple reply (without a read's data).</summary>
    public const int SimpleReplySize = 16;

    /// <summary>Bytes of a structured reply chunk header.</summary>
    public const int ChunkHeaderSize = 20;

    /// <summary>The structured reply flag of the last chunk of a reply.</summary>
    public const ushort ReplyFlagDone = 1;

    /// <summary>The handshake flags this server sends.</summary>
    public const NbdHandshakeFlags ServerHandshakeFlags = NbdHandshakeFlags.FixedNewstyle | NbdHandshakeFlags.NoZeroes;

    public static void WriteGreeting(IBufferWriter<byte> writer)
    {
        var s = writer.GetSpan(GreetingSize);
        BinaryPrimitives.WriteUInt64BigEndian(s, NbdMagic.InitPassword);
        BinaryPrimitives.WriteUInt64BigEndian(s[8..], NbdMagic.IHaveOpt);
        BinaryPrimitives.WriteUInt16BigEndian(s[16..], (ushort)ServerHandshakeFlags);
        writer.Advance(GreetingSize);
    }

    /// <summary>Reads the client's 32-bit flags; false when fewer than 4 bytes are buffered.</summary>
    public static bool TryReadClientFlags(in ReadOnlySequence<byte> buffer, out uint flags)
    {
        var reader = new SequenceReader<byte>(buffer);
        bool ok = reader.TryReadBigEndian(out int value);
        flags = (uint)value;
        return ok;
    }

    /// <summary>Reads an option header; false when fewer than 16 bytes are buffered.</summary>
    /// <exception cref="NbdProtocolException">The header does not start with IHAVEOPT.</exception>
    public static bool TryReadOptionHeader(in ReadOnlySequence<byte> buffer, out NbdOptionHeader header)
    {
        header = default;
        if (buffer.Length < OptionHeaderSize) return false;
        Span<byte> s = stackalloc byte[OptionHeaderSize];
        buffer.Slice(0, OptionHeaderSize).CopyTo(s);
        ulong magic = BinaryPrimitives.ReadUInt64BigEndian(s);
        if (magic != NbdMagic.IHaveOpt) throw new NbdProtocolException($"option magic is 0x{magic:x16}, expected 0x{NbdMagic.IHaveOpt:x16}");
        header = new NbdOptionHeader(BinaryPrimitives.ReadUInt32BigEndian(s[8..]), BinaryPrimitives.ReadUInt32BigEndian(s[12..]));
        return true;
    }

    /// <summary>Writes an option reply header; <paramref name="length"/> bytes of data must follow.</summary>
    public static void WriteOptionReplyHeader(IBufferWriter<byte> writer, uint option, NbdOptionReply type, int length)
    {
        var s = writer.GetSpan(OptionReplyHeaderSize);
        BinaryPrimitives.WriteUInt64BigEndian(s, NbdMagic.OptionReply);
        BinaryPrimitives.WriteUInt32BigEndian(s[8..], option);
        BinaryPrimitives.WriteUInt32BigEndian(s[12..], (uint)type);
        BinaryPrimitives.WriteUInt32BigEndian(s[16..], (uint)length);
        writer.Advance(OptionReplyHeaderSize);
    }

    /// <summary>The reply to NBD_OPT_EXPORT_NAME: size, flags, and 124 zero bytes unless the client asked for none.</summary>
    public static void WriteExportNameReply(IBufferWriter<byte> writer, ulong size, NbdTransmissionFlags flags, bool noZeroes)
    {
        int length = noZeroes ? 10 : 134;
        var s = writer.GetSpan(length)[..length];
        s.Clear();
        BinaryPrimitives.WriteUInt64BigEndian(s, size);
        BinaryPrimitives.WriteUInt16BigEndian(s[8..], (ushort)flags);
        writer.Advance(length);
    }

    /// <summary>Reads a request header; false when fewer than 28 bytes are buffered.</summary>
    /// <exception cref="NbdProtocolException">The header does not start with the request magic.</exception>
    public static bool TryReadRequest(in ReadOnlySequence<byte> buffer, out NbdRequest request)
    {
        request = default;
        if (buffer.Length < RequestSize) return false;
        scoped ReadOnlySpan<byte> s;
        Span<byte> copy = stackalloc byte[RequestSize];
        if (buffer.FirstSpan.Length >= RequestSize) s = buffer.FirstSpan;
        else
        {
            buffer.Slice(0, RequestSize).CopyTo(copy);
            s = copy;
        }
        uint magic = BinaryPrimitives.ReadUInt32BigEndian(s);
        if (magic != NbdMagic.Request) throw new NbdProtocolException($"request magic is 0x{magic:x8}, expected 0x{NbdMagic.Request:x8}");
        request = new NbdRequest(
            (NbdCommandFlags)BinaryPrimitives.ReadUInt16BigEndian(s[4..]),
            (NbdCommand)BinaryPrimitives.ReadUInt16BigEndian(s[6..]),
            BinaryPrimitives.ReadUInt64BigEndian(s[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(s[16..]),
            BinaryPrimitives.ReadUInt32BigEndian(s[24..]));
        return true;
    }

    /// <summary>Writes a simple reply header (16 bytes) into <paramref name="destination"/>.</summary>
    public static void WriteSimpleReply(Span<byte> destination, NbdError error, ulong cookie)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, NbdMagic.SimpleReply);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], (uint)error);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], cookie);
    }

    /// <summary>Writes a structured reply chunk header (20 bytes) into <paramref name="destination"/>.</summary>
    public static void WriteChunkHeader(Span<byte> destination, ushort flags, NbdReplyType type, ulong cookie, uint length)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, NbdMagic.StructuredReply);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], flags);
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], (ushort)type);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], cookie);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], length);
    }

    /// <summary>A final NBD_REPLY_TYPE_ERROR chunk: the error and a message for a human (at most 4096 bytes of UTF-8).</summary>
    public static void WriteErrorChunk(IBufferWriter<byte> writer, ulong cookie, NbdError error, string message)
    {
        string text = NbdStrings.Clip(message);
        int messageBytes = Encoding.UTF8.GetByteCount(text);
        int length = ChunkHeaderSize + 6 + messageBytes;
        var s = writer.GetSpan(length);
        WriteChunkHeader(s, ReplyFlagDone, NbdReplyType.Error, cookie, (uint)(6 + messageBytes));
        BinaryPrimitives.WriteUInt32BigEndian(s[ChunkHeaderSize..], (uint)error);
        BinaryPrimitives.WriteUInt16BigEndian(s[(ChunkHeaderSize + 4)..], (ushort)messageBytes);
        Encoding.UTF8.GetBytes(text, s.Slice(ChunkHeaderSize + 6, messageBytes));
        writer.Advance(length);
    }
}
