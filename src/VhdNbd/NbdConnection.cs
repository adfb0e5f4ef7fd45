using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Storage.VhdEngine;
using Storage.VhdNbd.Protocol;

namespace Storage.VhdNbd;

/// <summary>
/// One client connection: the handshake, then the transmission phase, on pipes over the socket.
/// Whatever the client sends, the connection ends by itself (never the server): a protocol
/// violation or a vanished client closes it, and on the way out its image handle is released
/// (the last handle on an image flushes and closes it) before the socket is closed.
/// </summary>
internal sealed class NbdConnection
{
    private const int ReceiveSegment = 256 * 1024;
    private const int SendSegment = 64 * 1024;
    private static readonly TimeSpan LingerTime = TimeSpan.FromSeconds(2);

    private readonly Socket _socket;
    private readonly NbdServerContext _context;
    private readonly PipeReader _reader;
    private readonly PipeWriter _writer;
    private readonly string _peer;

    public NbdConnection(Socket socket, NbdServerContext context)
    {
        _socket = socket;
        _context = context;
        _peer = socket.RemoteEndPoint?.ToString() ?? "?";
        var stream = new NetworkStream(socket, ownsSocket: false);
        _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: ReceiveSegment, minimumReadSize: ReceiveSegment / 4));
        _writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: SendSegment));
    }

    /// <summary>Serves the client until it leaves or the server stops; never throws.</summary>
    public async Task RunAsync()
    {
        NbdSession? session = null;
        var log = _context.Logger;
        // Each request's span is the root of its own trace, not a child of whatever was current
        // when the server started (a host's own span would otherwise swallow every request).
        Activity.Current = null;
        try
        {
            session = await new NbdNegotiation(_reader, _writer, _context).RunAsync().ConfigureAwait(false);
            if (session is null) return;
            log.LogDebug("nbd {Peer}: serving export {Export}", _peer, session.Export.Name);
            await new NbdTransmission(session, _reader, _writer, _context.Stopping).RunAsync().ConfigureAwait(false);
        }
        catch (NbdProtocolException e)
        {
            log.LogWarning("nbd {Peer}: closing the connection: {Reason}", _peer, e.Message);
        }
        catch (OperationCanceledException) when (_context.Stopping.IsCancellationRequested)
        {
            log.LogDebug("nbd {Peer}: closed, the server is stopping", _peer);
        }
        catch (Exception e) when (e is IOException or SocketException or EndOfStreamException or ObjectDisposedException)
        {
            log.LogDebug("nbd {Peer}: the client went away: {Reason}", _peer, e.Message);
        }
        catch (Exception e)
        {
            // A defect of ours: this connection ends; the server and every other connection go on.
            log.LogError(e, "nbd {Peer}: closing the connection after an unexpected error", _peer);
        }
        finally
        {
            await CloseAsync(session).ConfigureAwait(false);
        }
    }

    /// <summary>Closes the socket at once: what <see cref="NbdServer.StopAsync"/> does to a connection that outlives its grace.</summary>
    public void Abort() => _socket.Dispose();

    private async Task CloseAsync(NbdSession? session)
    {
        if (session is not null)
        {
            try
            {
                await session.DisposeAsync().ConfigureAwait(false);
            }
            catch (VhdException e)
            {
                _context.CloseFailures.Enqueue($"{session.Export.Name}: {e.Message}");
                _context.Logger.LogError("nbd {Peer}: closing export {Export} failed: {Reason}", _peer, session.Export.Name, e.Message);
            }
        }
        try
        {
            await _writer.CompleteAsync().ConfigureAwait(false);
            await _reader.CompleteAsync().ConfigureAwait(false);
            await LingerAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The client is gone (or would not go): what was left to send has no one to read it.
        }
        _socket.Dispose();
    }

    /// <summary>
    /// A graceful close: FIN after the last reply, then read and drop whatever the client still
    /// sends until it closes (at most <see cref="LingerTime"/>). Closing with unread bytes in the
    /// receive buffer would send a reset, and a reset can destroy replies the client has not read
    /// yet, e.g. the answers to the requests a stopping server finished.
    /// </summary>
    private async Task LingerAsync()
    {
        _socket.Shutdown(SocketShutdown.Send);
        using var timeout = new CancellationTokenSource(LingerTime);
        byte[] sink = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (await _socket.ReceiveAsync(sink, SocketFlags.None, timeout.Token).ConfigureAwait(false) > 0) { }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(sink);
        }
    }
}
