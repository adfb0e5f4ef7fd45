using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Storage.VhdActors;
using Storage.VhdEngine;

namespace Storage.VhdNbd;

/// <summary>
/// Serves the images of an <see cref="NbdExportCatalog"/> over the NBD protocol (fixed newstyle;
/// structured replies; base:allocation block status), every request through an
/// <see cref="IDiskStore"/>, so the image actors, the ownership lock and telemetry apply to each.
/// Each connection gets its own <see cref="IDisk"/> handle on its export; several connections to one
/// export share the image's actor. A client that misbehaves loses its own connection only.
/// </summary>
public sealed class NbdServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly NbdServerContext _context;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<NbdConnection, Task> _connections = new();
    private readonly TimeSpan _grace;
    private readonly Lock _gate = new();
    private Task _accepting = Task.CompletedTask;
    private Task? _stopped;

    private NbdServer(Socket listener, IDiskStore store, NbdExportCatalog catalog, NbdServerOptions options)
    {
        _listener = listener;
        _grace = options.ShutdownGrace;
        EndPoint = (IPEndPoint)listener.LocalEndPoint!;
        Catalog = catalog;
        _context = new NbdServerContext(store, catalog, options.Logger, _stopping.Token);
    }

    /// <summary>Where the server listens (with the port the system picked when port 0 was asked for).</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>The exports served.</summary>
    public NbdExportCatalog Catalog { get; }

    /// <summary>Connections open now.</summary>
    public int ConnectionCount => _connections.Count;

    /// <summary>Binds the listening socket and starts accepting clients.</summary>
    /// <exception cref="VhdException">The address cannot be listened on (in use, not local, no permission).</exception>
    public static NbdServer Start(IDiskStore store, NbdExportCatalog catalog, NbdServerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(catalog);
        options ??= new NbdServerOptions();
        var listener = new Socket(options.Listen.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(options.Listen);
            listener.Listen(128);
        }
        catch (SocketException e)
        {
            listener.Dispose();
            throw new VhdException($"cannot listen on {options.Listen}: {e.Message}", e);
        }
        var server = new NbdServer(listener, store, catalog, options);
        server._accepting = server.AcceptAsync();
        return server;
    }

    /// <summary>
    /// Stops: no new connections; every connection answers the requests it has received (later ones
    /// get NBD_ESHUTDOWN), releases its image (the last handle on an image flushes and closes it) and
    /// closes; a connection still busy after <see cref="NbdServerOptions.ShutdownGrace"/> is cut off.
    /// Calling it again waits for the same stop.
    /// </summary>
    /// <exception cref="VhdException">An image failed to flush or close; the message names the exports.</exception>
    public Task StopAsync()
    {
        lock (_gate) return _stopped ??= StopCoreAsync();
    }

    /// <inheritdoc cref="StopAsync"/>
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private async Task StopCoreAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _accepting.ConfigureAwait(false);
        var running = _connections.ToArray();
        var all = Task.WhenAll(running.Select(c => c.Value));
        if (await Task.WhenAny(all, Task.Delay(_grace)).ConfigureAwait(false) != all)
        {
            _context.Logger.LogWarning("nbd: {Count} connection(s) still busy after {Grace}; closing them", _connections.Count, _grace);
            foreach (var (connection, _) in running) connection.Abort();
        }
        await all.ConfigureAwait(false);
        if (!_context.CloseFailures.IsEmpty)
            throw new VhdException($"images failed to flush or close: {string.Join("; ", _context.CloseFailures)}");
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // E.g. out of file descriptors: keep serving the connections there are, and try again.
                _context.Logger.LogWarning("nbd: accept failed: {Reason}", e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(100)).ConfigureAwait(false);
                continue;
            }
            socket.NoDelay = true;
            var connection = new NbdConnection(socket, _context);
            var run = Task.Run(connection.RunAsync);
            _connections[connection] = run;
            _ = run.ContinueWith(_ => _connections.TryRemove(connection, out Task? _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }
}
