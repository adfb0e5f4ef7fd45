using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Storage.VhdEngine;
using Storage.VhdNbd.Protocol;

namespace Storage.VhdNbd;

/// <summary>
/// The transmission phase of one connection. Requests are taken from the receive buffer one after
/// another and run through the connection's <see cref="VhdActors.IDisk"/>; replies are written into
/// the send buffer and flushed once per batch of received requests (or every 256 KiB), so a client
/// that keeps 16 requests in flight gets their replies in few system calls. A write runs only when
/// its whole payload has arrived. Nothing is allocated per request: read data goes from the disk
/// straight into the send buffer, write data from the receive buffer (or one pooled copy when it
/// spans buffer segments) to the disk.
/// </summary>
internal sealed class NbdTransmission(NbdSession session, PipeReader reader, PipeWriter writer, CancellationToken stopping)
{
    /// <summary>Largest read or write payload (2^25, the protocol's default): a bigger write closes the connection.</summary>
    public const uint MaxPayload = 32 << 20;

    /// <summary>The request size that needs no read-modify-write of a sector.</summary>
    public const uint PreferredBlockSize = 4096;

    /// <summary>Most extents in one block status reply.</summary>
    public const int MaxExtents = 2048;

    private const int FlushThreshold = 256 * 1024;
    private const uint StateHole = 1, StateZero = 2;

    private readonly NbdCommandHandler _commands = new(session);

    /// <summary>Serves requests until the client disconnects or the server stops.</summary>
    /// <exception cref="NbdProtocolException">The client broke the protocol: close the connection.</exception>
    public async Task RunAsync()
    {
        while (true)
        {
            var result = await reader.ReadAsync(stopping).ConfigureAwait(false);
            var (rest, disconnect) = await ProcessAsync(result.Buffer).ConfigureAwait(false);
            reader.AdvanceTo(rest.Start, rest.End);
            var flushed = await writer.FlushAsync().ConfigureAwait(false);
            // A partial request left at the end of the stream is dropped: a write runs only whole.
            if (disconnect || result.IsCompleted || flushed.IsCompleted) return;
        }
    }

    /// <summary>Runs every whole request in <paramref name="buffer"/>; returns what is left and whether the client sent NBD_CMD_DISC.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(ReadOnlySequence<byte> Unread, bool Disconnect)> ProcessAsync(ReadOnlySequence<byte> buffer)
    {
        while (NbdCodec.TryReadRequest(buffer, out var request))
        {
            long payload = request.Command == NbdCommand.Write ? request.Length : 0;
            if (payload > MaxPayload)
                throw new NbdProtocolException($"a write of {payload} bytes is more than the maximum payload of {MaxPayload} bytes");
            if (buffer.Length < NbdCodec.RequestSize + payload) break;
            if (request.Command == NbdCommand.Disconnect)
            {
                using var span = NbdTelemetry.StartRequest(session.Export.Name, request);
                return (buffer.Slice(NbdCodec.RequestSize), true);
            }
            await ExecuteAsync(request, buffer.Slice(NbdCodec.RequestSize, payload)).ConfigureAwait(false);
            buffer = buffer.Slice(NbdCodec.RequestSize + payload);
            if (writer.UnflushedBytes >= FlushThreshold && (await writer.FlushAsync().ConfigureAwait(false)).IsCompleted)
                return (buffer, true);
        }
        return (buffer, false);
    }

    /// <summary>One request: its span, its checks, the command, and exactly one reply.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ExecuteAsync(NbdRequest request, ReadOnlySequence<byte> payload)
    {
        using var span = NbdTelemetry.StartRequest(session.Export.Name, request);
        var (error, message) = stopping.IsCancellationRequested
            ? (NbdError.Shutdown, "the server is shutting down")
            : NbdRequestRules.Check(request, session);
        if (error == NbdError.None)
        {
            try
            {
                await RunAsync(request, payload).ConfigureAwait(false);
                return;
            }
            // The store's errors (VhdException is an IOException), and a store that did not answer in time (a
            // cluster node that owned the image was lost) or asked for a retry (the image is moving): the
            // request fails, the connection goes on.
            catch (Exception e) when (e is IOException or ArgumentException or TimeoutException)
            {
                (error, message) = NbdErrors.From(e, session.Export);
            }
        }
        WriteError(request, error, message!);
        NbdTelemetry.Fail(span, error, message!);
    }

    private ValueTask RunAsync(NbdRequest request, ReadOnlySequence<byte> payload) => request.Command switch
    {
        NbdCommand.Read => ReadAsync(request),
        NbdCommand.Write => ReplyAfter(request, _commands.WriteAsync(request, payload)),
        NbdCommand.Flush => ReplyAfter(request, new ValueTask(session.Disk.FlushAsync())),
        NbdCommand.Trim => ReplyAfter(request, _commands.TrimAsync(request)),
        NbdCommand.WriteZeroes => ReplyAfter(request, _commands.ZeroAsync(request, provision: (request.Flags & NbdCommandFlags.NoHole) != 0)),
        NbdCommand.BlockStatus => BlockStatusAsync(request),
        _ => throw new InvalidOperationException($"command {request.Command} passed the checks but has no handler"),
    };

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ReplyAfter(NbdRequest request, ValueTask work)
    {
        await work.ConfigureAwait(false);
        var s = writer.GetSpan(NbdCodec.SimpleReplySize);
        NbdCodec.WriteSimpleReply(s, NbdError.None, request.Cookie);
        writer.Advance(NbdCodec.SimpleReplySize);
    }

    /// <summary>The data goes from the disk straight into the send buffer, behind the reply header written last.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ReadAsync(NbdRequest request)
    {
        int length = (int)request.Length;
        int header = session.Structured ? NbdCodec.ChunkHeaderSize + 8 : NbdCodec.SimpleReplySize;
        var memory = writer.GetMemory(header + length);
        if (length > 0)
        {
            int read = await session.Disk.ReadAsync((long)request.Offset, memory.Slice(header, length)).ConfigureAwait(false);
            if (read != length) throw new VhdIOException($"{session.Export.Name}: read {read} of {length} bytes", new EndOfStreamException(), diskUsable: true);
        }
        var s = memory.Span;
        if (!session.Structured) NbdCodec.WriteSimpleReply(s, NbdError.None, request.Cookie);
        else if (length == 0)
        {
            NbdCodec.WriteChunkHeader(s, NbdCodec.ReplyFlagDone, NbdReplyType.None, request.Cookie, 0);
            header = NbdCodec.ChunkHeaderSize;
        }
        else
        {
            NbdCodec.WriteChunkHeader(s, NbdCodec.ReplyFlagDone, NbdReplyType.OffsetData, request.Cookie, (uint)(8 + length));
            BinaryPrimitives.WriteUInt64BigEndian(s[NbdCodec.ChunkHeaderSize..], request.Offset);
        }
        writer.Advance(header + length);
    }

    /// <summary>
    /// base:allocation extents from the disk's allocation runs (holes read as zeros: HOLE|ZERO;
    /// everything else 0), merged where neighbours agree, at most one with NBD_CMD_FLAG_REQ_ONE.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask BlockStatusAsync(NbdRequest request)
    {
        int max = (request.Flags & NbdCommandFlags.RequestOne) != 0 ? 1 : MaxExtents;
        const int fixedPart = NbdCodec.ChunkHeaderSize + 4;
        var memory = writer.GetMemory(fixedPart + 8 * max);
        long pos = (long)request.Offset, end = pos + request.Length;
        int count = 0;
        uint lastState = 0, lastLength = 0;
        while (pos < end)
        {
            var run = await session.Disk.GetAllocationAsync(pos, end - pos).ConfigureAwait(false);
            uint state = run.MayContainData ? 0 : StateHole | StateZero;
            if (count > 0 && state == lastState) lastLength += (uint)run.Length; // the request's length is a u32: no overflow
            else if (count == max) break;
            else
            {
                if (count > 0) WriteExtent(memory.Span, fixedPart, count - 1, lastLength, lastState);
                count++;
                (lastState, lastLength) = (state, (uint)run.Length);
            }
            pos += run.Length;
        }
        WriteExtent(memory.Span, fixedPart, count - 1, lastLength, lastState);
        var s = memory.Span;
        NbdCodec.WriteChunkHeader(s, NbdCodec.ReplyFlagDone, NbdReplyType.BlockStatus, request.Cookie, (uint)(4 + 8 * count));
        BinaryPrimitives.WriteUInt32BigEndian(s[NbdCodec.ChunkHeaderSize..], NbdSession.AllocationContextId);
        writer.Advance(fixedPart + 8 * count);
    }

    private static void WriteExtent(Span<byte> s, int start, int index, uint length, uint state)
    {
        BinaryPrimitives.WriteUInt32BigEndian(s[(start + 8 * index)..], length);
        BinaryPrimitives.WriteUInt32BigEndian(s[(start + 8 * index + 4)..], state);
    }

    /// <summary>An error reply: an error chunk with the message once structured replies are on, else a simple reply.</summary>
    private void WriteError(NbdRequest request, NbdError error, string message)
    {
        if (session.Structured)
        {
            NbdCodec.WriteErrorChunk(writer, request.Cookie, error, message);
            return;
        }
        NbdCodec.WriteSimpleReply(writer.GetSpan(NbdCodec.SimpleReplySize), error, request.Cookie);
        writer.Advance(NbdCodec.SimpleReplySize);
    }
}
