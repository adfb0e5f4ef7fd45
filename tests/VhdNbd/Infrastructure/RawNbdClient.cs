using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Storage.Tests.VhdNbd.Infrastructure;

/// <summary>
/// A small NBD client written for the tests from the protocol text, independent of the server's
/// codec: it can send anything (bad magic, unknown commands, partial payloads) and shows replies
/// exactly. Blocking socket calls, preallocated buffers: it allocates nothing per request itself
/// when <see cref="SendRequest"/> and <see cref="ReceiveInto"/> are used.
/// </summary>
public sealed class RawNbdClient : IDisposable
{
    public const ushort Read = 0, Write = 1, Disc = 2, Flush = 3, Trim = 4, Cache = 5, WriteZeroes = 6, BlockStatus = 7;
    public const ushort Fua = 1, NoHole = 2, DontFragment = 4, ReqOne = 8;
    public const uint OptExportName = 1, OptAbort = 2, OptList = 3, OptInfo = 6, OptGo = 7, OptStructured = 8, OptListMeta = 9, OptSetMeta = 10;
    public const uint RepAck = 1, RepServer = 2, RepInfo = 3, RepMetaContext = 4;

    private readonly byte[] _header = new byte[32];
    private ulong _lastOffset; // where the data of the read in progress starts

    public RawNbdClient(int port)
    {
        Socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveTimeout = 60_000 };
        Socket.Connect(new IPEndPoint(IPAddress.Loopback, port));
        var greeting = ReceiveExactly(18);
        if (BinaryPrimitives.ReadUInt64BigEndian(greeting) != 0x4e42444d41474943 || BinaryPrimitives.ReadUInt64BigEndian(greeting.AsSpan(8)) != 0x49484156454F5054)
            throw new InvalidOperationException("not an NBD newstyle server");
        HandshakeFlags = BinaryPrimitives.ReadUInt16BigEndian(greeting.AsSpan(16));
    }

    public Socket Socket { get; }

    public ushort HandshakeFlags { get; }

    public long Size { get; private set; }

    public ushort TransmissionFlags { get; private set; }

    public bool Structured { get; private set; }

    /// <summary>Handshake up to transmission: structured replies and base:allocation if asked, then GO.</summary>
    public static RawNbdClient Open(int port, string export, bool structured = true, bool allocation = true)
    {
        var c = new RawNbdClient(port);
        c.SendClientFlags(3);
        if (structured)
        {
            c.Expect(c.Option(OptStructured, []), RepAck);
            c.Structured = true;
        }
        if (structured && allocation)
        {
            var replies = c.Option(OptSetMeta, MetaContextData(export, "base:allocation"));
            if (replies.Count != 2 || replies[0].Type != RepMetaContext) throw new InvalidOperationException("base:allocation was not selected");
        }
        c.Go(export);
        return c;
    }

    public void SendClientFlags(uint flags)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, flags);
        Socket.Send(b);
    }

    /// <summary>Sends an option and reads replies up to the final one (ACK or an error).</summary>
    public List<(uint Type, byte[] Data)> Option(uint option, byte[] data, ulong magic = 0x49484156454F5054)
    {
        SendOption(option, data, magic);
        var replies = new List<(uint, byte[])>();
        while (true)
        {
            var h = ReceiveExactly(20);
            if (BinaryPrimitives.ReadUInt64BigEndian(h) != 0x3e889045565a9) throw new InvalidOperationException("bad option reply magic");
            uint type = BinaryPrimitives.ReadUInt32BigEndian(h.AsSpan(12));
            var payload = ReceiveExactly((int)BinaryPrimitives.ReadUInt32BigEndian(h.AsSpan(16)));
            replies.Add((type, payload));
            if (type != RepServer && type != RepInfo && type != RepMetaContext) return replies;
        }
    }

    public void SendOption(uint option, byte[] data, ulong magic = 0x49484156454F5054)
    {
        var b = new byte[16 + data.Length];
        BinaryPrimitives.WriteUInt64BigEndian(b, magic);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(8), option);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(12), (uint)data.Length);
        data.CopyTo(b, 16);
        Socket.Send(b);
    }

    public void Go(string export)
    {
        var replies = Option(OptGo, InfoData(export));
        var final = replies[^1];
        if (final.Type != RepAck) throw new InvalidOperationException($"GO {export}: 0x{final.Type:x8} {Encoding.UTF8.GetString(final.Data)}");
        foreach (var (type, data) in replies)
        {
            if (type != RepInfo || BinaryPrimitives.ReadUInt16BigEndian(data) != 0) continue;
            Size = (long)BinaryPrimitives.ReadUInt64BigEndian(data.AsSpan(2));
            TransmissionFlags = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(10));
        }
    }

    public static byte[] InfoData(string export, params ushort[] infos)
    {
        var name = Encoding.UTF8.GetBytes(export);
        var b = new byte[4 + name.Length + 2 + 2 * infos.Length];
        BinaryPrimitives.WriteUInt32BigEndian(b, (uint)name.Length);
        name.CopyTo(b, 4);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(4 + name.Length), (ushort)infos.Length);
        for (int i = 0; i < infos.Length; i++) BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(6 + name.Length + 2 * i), infos[i]);
        return b;
    }

    public static byte[] MetaContextData(string export, params string[] queries)
    {
        var ms = new MemoryStream();
        void U32(uint v) { var t = new byte[4]; BinaryPrimitives.WriteUInt32BigEndian(t, v); ms.Write(t); }
        var name = Encoding.UTF8.GetBytes(export);
        U32((uint)name.Length);
        ms.Write(name);
        U32((uint)queries.Length);
        foreach (var q in queries)
        {
            var qb = Encoding.UTF8.GetBytes(q);
            U32((uint)qb.Length);
            ms.Write(qb);
        }
        return ms.ToArray();
    }

    /// <summary>Sends a request header (and the payload, if any) without waiting.</summary>
    public void SendRequest(ushort flags, ushort type, ulong cookie, ulong offset, uint length, ReadOnlySpan<byte> payload = default, uint magic = 0x25609513)
    {
        var h = _header.AsSpan(0, 28);
        BinaryPrimitives.WriteUInt32BigEndian(h, magic);
        BinaryPrimitives.WriteUInt16BigEndian(h[4..], flags);
        BinaryPrimitives.WriteUInt16BigEndian(h[6..], type);
        BinaryPrimitives.WriteUInt64BigEndian(h[8..], cookie);
        BinaryPrimitives.WriteUInt64BigEndian(h[16..], offset);
        BinaryPrimitives.WriteUInt32BigEndian(h[24..], length);
        Socket.Send(h);
        if (!payload.IsEmpty) Socket.Send(payload);
    }

    /// <summary>A request and its whole reply.</summary>
    public RawReply Request(ushort type, ulong offset, uint length, ReadOnlySpan<byte> payload = default, ushort flags = 0, ulong cookie = 7)
    {
        _lastOffset = offset;
        SendRequest(flags, type, cookie, offset, length, payload);
        return Receive(cookie, type == Read ? (int)length : 0);
    }

    /// <summary>Reads one whole reply (all its chunks) for <paramref name="cookie"/>.</summary>
    public RawReply Receive(ulong cookie, int readLength)
    {
        uint error = 0;
        var data = new byte[readLength];
        var extents = new List<(uint, uint)>();
        string message = "";
        int chunks = 0;
        while (true)
        {
            ReceiveExactly(_header.AsSpan(0, 4));
            uint magic = BinaryPrimitives.ReadUInt32BigEndian(_header);
            if (magic == 0x67446698)
            {
                ReceiveExactly(_header.AsSpan(4, 12));
                CheckCookie(cookie);
                error = BinaryPrimitives.ReadUInt32BigEndian(_header.AsSpan(4));
                if (error == 0 && readLength > 0) ReceiveExactly(data);
                return new RawReply(error, data, extents, message, chunks);
            }
            if (magic != 0x668e33ef) throw new InvalidOperationException($"bad reply magic 0x{magic:x8}");
            ReceiveExactly(_header.AsSpan(4, 16));
            CheckCookie(cookie);
            chunks++;
            ushort flags = BinaryPrimitives.ReadUInt16BigEndian(_header.AsSpan(4));
            ushort type = BinaryPrimitives.ReadUInt16BigEndian(_header.AsSpan(6));
            var payload = ReceiveExactly((int)BinaryPrimitives.ReadUInt32BigEndian(_header.AsSpan(16)));
            switch (type)
            {
                case 1: // OFFSET_DATA: placed relative to the request; the caller checks offsets through the data
                    ulong at = BinaryPrimitives.ReadUInt64BigEndian(payload);
                    payload.AsSpan(8).CopyTo(data.AsSpan((int)(at - _lastOffset)));
                    break;
                case 2: // OFFSET_HOLE: zeros, already
                    break;
                case 5:
                    for (int i = 4; i < payload.Length; i += 8)
                        extents.Add((BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(i)), BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(i + 4))));
                    break;
                case 0x8001 or 0x8002:
                    error = BinaryPrimitives.ReadUInt32BigEndian(payload);
                    int len = BinaryPrimitives.ReadUInt16BigEndian(payload.AsSpan(4));
                    message = Encoding.UTF8.GetString(payload, 6, len);
                    break;
            }
            if ((flags & 1) != 0) return new RawReply(error, data, extents, message, chunks);
        }
    }

    /// <summary>
    /// The hot path of the allocation test: sends a request and reads its reply into
    /// <paramref name="into"/> (a read's data) without allocating.
    /// </summary>
    public uint ReceiveInto(Span<byte> into)
    {
        ReceiveExactly(_header.AsSpan(0, 4));
        uint magic = BinaryPrimitives.ReadUInt32BigEndian(_header);
        int rest = magic == 0x67446698 ? 12 : 16;
        ReceiveExactly(_header.AsSpan(4, rest));
        if (magic == 0x67446698) return BinaryPrimitives.ReadUInt32BigEndian(_header.AsSpan(4));
        int length = (int)BinaryPrimitives.ReadUInt32BigEndian(_header.AsSpan(16));
        ReceiveExactly(_header.AsSpan(20, 8));
        ReceiveExactly(into[..(length - 8)]);
        return 0;
    }

    private void CheckCookie(ulong cookie)
    {
        ulong got = BinaryPrimitives.ReadUInt64BigEndian(_header.AsSpan(8));
        if (got != cookie) throw new InvalidOperationException($"reply for cookie {got}, expected {cookie}");
    }

    public byte[] ReceiveExactly(int count)
    {
        var b = new byte[count];
        ReceiveExactly(b);
        return b;
    }

    public void ReceiveExactly(Span<byte> into)
    {
        while (!into.IsEmpty)
        {
            int n = Socket.Receive(into);
            if (n == 0) throw new EndOfStreamException("the server closed the connection");
            into = into[n..];
        }
    }

    /// <summary>True once the server has closed the connection (waits for it).</summary>
    public bool ClosedByServer()
    {
        try
        {
            var one = new byte[1];
            return Socket.Receive(one) == 0;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    private void Expect(List<(uint Type, byte[] Data)> replies, uint type)
    {
        if (replies[^1].Type != type) throw new InvalidOperationException($"expected reply {type}, got 0x{replies[^1].Type:x8}");
    }

    public void Dispose() => Socket.Dispose();
}
