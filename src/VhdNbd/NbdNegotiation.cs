using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Storage.VhdEngine;
using Storage.VhdNbd.Protocol;

namespace Storage.VhdNbd;

/// <summary>
/// The fixed newstyle handshake of one connection: greeting, client flags, then options until the
/// client picks an export (NBD_OPT_GO or NBD_OPT_EXPORT_NAME) or aborts. Options this server does not
/// know get NBD_REP_ERR_UNSUP; malformed option data gets NBD_REP_ERR_INVALID and the client may go on.
/// </summary>
internal sealed class NbdNegotiation(PipeReader reader, PipeWriter writer, NbdServerContext context)
{
    /// <summary>The most option data accepted; more is a denial of service and closes the connection.</summary>
    public const int MaxOptionLength = 64 * 1024;

    private const string AllocationContext = "base:allocation";
    private static readonly byte[] AllocationContextBytes = NbdStrings.Encode(AllocationContext);

    private bool _noZeroes;
    private bool _structured;
    private string? _contextExport;

    /// <summary>The agreed session, or null when the client aborted.</summary>
    /// <exception cref="NbdProtocolException">The client broke the protocol: close the connection.</exception>
    /// <exception cref="EndOfStreamException">The client closed the connection.</exception>
    public async Task<NbdSession?> RunAsync()
    {
        NbdCodec.WriteGreeting(writer);
        await writer.FlushAsync(context.Stopping).ConfigureAwait(false);
        var flags = (NbdHandshakeFlags)await ReadClientFlagsAsync().ConfigureAwait(false);
        _noZeroes = (flags & NbdHandshakeFlags.NoZeroes) != 0;
        while (true)
        {
            var (header, data) = await ReadOptionAsync().ConfigureAwait(false);
            var (session, done) = await HandleAsync(header.Option, data).ConfigureAwait(false);
            try
            {
                await writer.FlushAsync(context.Stopping).ConfigureAwait(false);
            }
            catch when (session is not null)
            {
                await session.DisposeAsync().ConfigureAwait(false); // the client is gone: let go of the image
                throw;
            }
            if (done) return session;
        }
    }

    private async Task<uint> ReadClientFlagsAsync()
    {
        var result = await reader.ReadAtLeastAsync(4, context.Stopping).ConfigureAwait(false);
        if (!NbdCodec.TryReadClientFlags(result.Buffer, out uint flags)) throw new EndOfStreamException("the client closed the connection before sending its flags");
        reader.AdvanceTo(result.Buffer.GetPosition(4));
        if ((flags & ~(uint)NbdCodec.ServerHandshakeFlags) != 0)
            throw new NbdProtocolException($"client flags 0x{flags:x8} set bits the server did not offer (0x{(uint)NbdCodec.ServerHandshakeFlags:x})");
        return flags;
    }

    private async Task<(NbdOptionHeader Header, byte[] Data)> ReadOptionAsync()
    {
        var result = await reader.ReadAtLeastAsync(NbdCodec.OptionHeaderSize, context.Stopping).ConfigureAwait(false);
        if (!NbdCodec.TryReadOptionHeader(result.Buffer, out var header)) throw new EndOfStreamException("the client closed the connection during the handshake");
        reader.AdvanceTo(result.Buffer.GetPosition(NbdCodec.OptionHeaderSize));
        if (header.Length > MaxOptionLength)
            throw new NbdProtocolException($"option {header.Option} carries {header.Length} bytes of data, more than the {MaxOptionLength} this server accepts");
        if (header.Length == 0) return (header, []);
        int length = (int)header.Length;
        result = await reader.ReadAtLeastAsync(length, context.Stopping).ConfigureAwait(false);
        if (result.Buffer.Length < length) throw new EndOfStreamException("the client closed the connection inside an option");
        byte[] data = result.Buffer.Slice(0, length).ToArray();
        reader.AdvanceTo(result.Buffer.GetPosition(length));
        return (header, data);
    }

    private async Task<(NbdSession? Session, bool Done)> HandleAsync(uint option, byte[] data)
    {
        if (context.Stopping.IsCancellationRequested && option != (uint)NbdOption.Abort)
        {
            Error(option, NbdOptionReply.ErrorShutdown, "the server is shutting down");
            return (null, false);
        }
        switch ((NbdOption)option)
        {
            case NbdOption.ExportName:
                return (await ExportNameAsync(data).ConfigureAwait(false), true);
            case NbdOption.Abort:
                Reply(option, NbdOptionReply.Ack, []);
                return (null, true);
            case NbdOption.List:
                List(option, data);
                return (null, false);
            case NbdOption.Info or NbdOption.Go:
                var session = await InfoAsync(option, data, go: option == (uint)NbdOption.Go).ConfigureAwait(false);
                return (session, session is not null);
            case NbdOption.StructuredReply:
                if (data.Length != 0) Error(option, NbdOptionReply.ErrorInvalid, "NBD_OPT_STRUCTURED_REPLY takes no data");
                else { _structured = true; Reply(option, NbdOptionReply.Ack, []); }
                return (null, false);
            case NbdOption.ListMetaContext or NbdOption.SetMetaContext:
                MetaContext(option, data, set: option == (uint)NbdOption.SetMetaContext);
                return (null, false);
            default:
                Error(option, NbdOptionReply.ErrorUnsupported, $"option {option} is not supported by this server");
                return (null, false);
        }
    }

    /// <summary>NBD_OPT_EXPORT_NAME cannot answer with an error: an unknown export closes the connection.</summary>
    private async Task<NbdSession> ExportNameAsync(byte[] data)
    {
        if (!NbdStrings.TryDecode(data, out string? name)) throw new NbdProtocolException("NBD_OPT_EXPORT_NAME: the name is not a valid string");
        if (!context.Catalog.TryGet(name, out var export)) throw new NbdProtocolException($"NBD_OPT_EXPORT_NAME: no export named '{name}'");
        NbdSession session;
        try { session = await OpenAsync(export).ConfigureAwait(false); }
        catch (VhdException e) { throw new NbdProtocolException($"NBD_OPT_EXPORT_NAME: export '{name}' is not available: {e.Message}"); }
        NbdCodec.WriteExportNameReply(writer, (ulong)session.Disk.Length, session.Flags, _noZeroes);
        return session;
    }

    private void List(uint option, byte[] data)
    {
        if (data.Length != 0)
        {
            Error(option, NbdOptionReply.ErrorInvalid, "NBD_OPT_LIST takes no data");
            return;
        }
        foreach (var export in context.Catalog.Exports)
        {
            byte[] name = NbdStrings.Encode(export.Name);
            NbdCodec.WriteOptionReplyHeader(writer, option, NbdOptionReply.Server, 4 + name.Length);
            WriteUInt32(writer, (uint)name.Length);
            writer.Write(name);
        }
        Reply(option, NbdOptionReply.Ack, []);
    }

    /// <summary>NBD_OPT_INFO and NBD_OPT_GO; GO also opens the image and ends the handshake (null: it did not).</summary>
    private async Task<NbdSession?> InfoAsync(uint option, byte[] data, bool go)
    {
        if (!NbdOptionParser.TryParseInfoRequest(data, out var request))
        {
            Error(option, NbdOptionReply.ErrorInvalid, "malformed NBD_OPT_INFO/NBD_OPT_GO data");
            return null;
        }
        if (!context.Catalog.TryGet(request.Name, out var export))
        {
            Error(option, NbdOptionReply.ErrorUnknown, $"no export named '{request.Name}' (NBD_OPT_LIST lists them)");
            return null;
        }
        NbdSession? session = null;
        if (go)
        {
            try { session = await OpenAsync(export).ConfigureAwait(false); }
            catch (VhdException e)
            {
                Error(option, NbdOptionReply.ErrorUnknown, $"export '{export.Name}' is not available: {e.Message.Replace(export.ImagePath, export.Name, StringComparison.Ordinal)}");
                return null;
            }
        }
        long size = session?.Disk.Length ?? export.Size;
        var flags = session?.Flags ?? NbdSession.FlagsFor(export.ReadOnly, _structured);
        WriteInfo(option, export, request, size, flags);
        Reply(option, NbdOptionReply.Ack, []);
        return session;
    }

    private void WriteInfo(uint option, NbdExport export, NbdInfoRequest request, long size, NbdTransmissionFlags flags)
    {
        NbdCodec.WriteOptionReplyHeader(writer, option, NbdOptionReply.Info, 12);
        WriteUInt16(writer, (ushort)NbdInfo.Export);
        Span<byte> s = stackalloc byte[10];
        BinaryPrimitives.WriteUInt64BigEndian(s, (ulong)size);
        BinaryPrimitives.WriteUInt16BigEndian(s[8..], (ushort)flags);
        writer.Write(s);
        if (request.WantsName || request.Name != export.Name) WriteTextInfo(option, NbdInfo.Name, export.Name);
        if (request.WantsDescription && export.Description.Length > 0) WriteTextInfo(option, NbdInfo.Description, export.Description);
        // Always sent (harmless to a client that did not ask): any byte offset works, 4 KiB is
        // efficient, and a request may carry up to the protocol's default maximum payload.
        NbdCodec.WriteOptionReplyHeader(writer, option, NbdOptionReply.Info, 14);
        WriteUInt16(writer, (ushort)NbdInfo.BlockSize);
        WriteUInt32(writer, 1);
        WriteUInt32(writer, NbdTransmission.PreferredBlockSize);
        WriteUInt32(writer, NbdTransmission.MaxPayload);
    }

    private void WriteTextInfo(uint option, NbdInfo type, string text)
    {
        byte[] bytes = NbdStrings.Encode(NbdStrings.Clip(text));
        NbdCodec.WriteOptionReplyHeader(writer, option, NbdOptionReply.Info, 2 + bytes.Length);
        WriteUInt16(writer, (ushort)type);
        writer.Write(bytes);
    }

    /// <summary>NBD_OPT_LIST_META_CONTEXT and NBD_OPT_SET_META_CONTEXT: the one context served is base:allocation.</summary>
    private void MetaContext(uint option, byte[] data, bool set)
    {
        if (set) _contextExport = null; // a SET replaces the selection even when it fails
        var queries = new List<string>();
        if (!_structured)
            Error(option, NbdOptionReply.ErrorInvalid, "negotiate NBD_OPT_STRUCTURED_REPLY before metadata contexts");
        else if (!NbdOptionParser.TryParseMetaContextRequest(data, out string name, queries))
            Error(option, NbdOptionReply.ErrorInvalid, "malformed metadata context request");
        else if (!context.Catalog.TryGet(name, out var export))
            Error(option, NbdOptionReply.ErrorUnknown, $"no export named '{name}'");
        else
        {
            bool match = set
                ? queries.Contains(AllocationContext)
                : queries.Count == 0 || queries.Exists(q => q is "base:" or AllocationContext);
            if (match)
            {
                NbdCodec.WriteOptionReplyHeader(writer, option, NbdOptionReply.MetaContext, 4 + AllocationContextBytes.Length);
                WriteUInt32(writer, set ? NbdSession.AllocationContextId : 0);
                writer.Write(AllocationContextBytes);
                if (set) _contextExport = export.Name;
            }
            Reply(option, NbdOptionReply.Ack, []);
        }
    }

    private async Task<NbdSession> OpenAsync(NbdExport export)
    {
        var access = export.ReadOnly ? FileAccess.Read : FileAccess.ReadWrite;
        var disk = await context.Store.OpenAsync(export.ImagePath, access, context.Stopping).ConfigureAwait(false);
        return new NbdSession(export, disk, _structured, _structured && _contextExport == export.Name);
    }

    private void Reply(uint option, NbdOptionReply type, ReadOnlySpan<byte> data)
    {
        NbdCodec.WriteOptionReplyHeader(writer, option, type, data.Length);
        writer.Write(data);
    }

    private void Error(uint option, NbdOptionReply type, string message) => Reply(option, type, NbdStrings.Encode(NbdStrings.Clip(message)));

    private static void WriteUInt32(IBufferWriter<byte> w, uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(w.GetSpan(4), value);
        w.Advance(4);
    }

    private static void WriteUInt16(IBufferWriter<byte> w, ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(w.GetSpan(2), value);
        w.Advance(2);
    }
}
