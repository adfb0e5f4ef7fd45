using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Storage.VhdActors;
using Storage.VhdNbd;

namespace Storage.VhdTool.Hosted;

/// <summary>
/// `vhd serve DIR`: every image under DIR over NBD (<see cref="NbdServer"/>), through the
/// <see cref="IDiskStore"/> facade an application uses (its own ActorSystem, via
/// <see cref="VhdStorageHostingExtensions.AddVhdStorage(Microsoft.Extensions.DependencyInjection.IServiceCollection, VhdStorageOptions?)"/>). Prints one line on stdout when it
/// listens; SIGTERM or Ctrl-C stops it: every connection finishes what it received, every image
/// is flushed and closed, and the exit code is 0.
/// </summary>
internal static class ServeRunner
{
    public const string DefaultListen = "127.0.0.1:10809";

    /// <summary>Runs the server until SIGTERM or Ctrl-C; returns the exit code.</summary>
    public static int Run(ToolEnvironment env, string directory, IPEndPoint listen, bool readOnly, ClusterServeSettings? cluster = null)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(env.Cancellation);
        // SIGTERM is the service manager's "stop": handled like Ctrl-C, instead of ending the process.
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
        {
            signal.Cancel = true;
            stop.Cancel();
        });
        return Task.Run(() => RunAsync(env, directory, listen, readOnly, cluster, stop.Token)).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(ToolEnvironment env, string directory, IPEndPoint listen, bool readOnly, ClusterServeSettings? cluster, CancellationToken stop)
    {
        if (cluster is not null) return await RunClusterAsync(env, directory, listen, readOnly, cluster, stop).ConfigureAwait(false);
        var options = new VhdStorageOptions
        {
            FileSystem = env.FileSystem,
            // Images stay open while a connection holds them; the last one out closes them.
            IdleTimeout = null,
            ActorSystemName = "vhd-serve",
            // Quiet: stdout carries the one "listening" line.
            AkkaConfig = "akka { loglevel = OFF, stdout-loglevel = OFF, log-dead-letters = off, log-dead-letters-during-shutdown = off, actor.provider = local, coordinated-shutdown.run-by-clr-shutdown-hook = off }",
        };
        await using var provider = new ServiceCollection().AddVhdStorage(options).BuildServiceProvider();
        return await ServeAsync(env, provider.GetRequiredService<IDiskStore>(), directory, listen, readOnly, stop).ConfigureAwait(false);
    }

    /// <summary>
    /// `--cluster`: the store is a cluster node's (<see cref="ClusterStoreHost"/>). Requests for an image
    /// another node owns wait at most <see cref="ClusterRequestTimeout"/> (a node killed with requests in
    /// flight fails them with an NBD error instead of holding the client for minutes). On SIGTERM the NBD
    /// server stops first, then the node leaves the cluster, handing its images over flushed and closed.
    /// </summary>
    private static async Task<int> RunClusterAsync(ToolEnvironment env, string directory, IPEndPoint listen, bool readOnly, ClusterServeSettings cluster, CancellationToken stop)
    {
        var options = new VhdStorageOptions { FileSystem = env.FileSystem, IdleTimeout = null, RequestTimeout = ClusterRequestTimeout };
        IHost host;
        IDiskStore store;
        try
        {
            (host, store) = await ClusterStoreHost.StartAsync(cluster, options, env.Error, stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped before this node joined: nothing was served, nothing to hand over.
            return 0;
        }
        using (host)
        {
            try
            {
                return await ServeAsync(env, store, directory, listen, readOnly, stop).ConfigureAwait(false);
            }
            finally
            {
                await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>How long a request of `vhd serve --cluster` waits for the image's owner.</summary>
    public static readonly TimeSpan ClusterRequestTimeout = TimeSpan.FromSeconds(15);

    private static async Task<int> ServeAsync(ToolEnvironment env, IDiskStore store, string directory, IPEndPoint listen, bool readOnly, CancellationToken stop)
    {
        var catalog = await NbdExportCatalog.ScanAsync(store, directory, readOnly, stop).ConfigureAwait(false);
        foreach (string skipped in catalog.Skipped) env.Error.WriteLine($"vhd serve: not serving {skipped}");
        var server = NbdServer.Start(store, catalog, new NbdServerOptions { Listen = listen, Logger = new ServeLogger(env.Error) });
        try
        {
            env.Out.WriteLine($"vhd serve: listening on nbd://{server.EndPoint}/ ({catalog.Exports.Count} exports)");
            env.Out.Flush();
            await Task.Delay(Timeout.Infinite, stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Asked to stop: that is how a server ends, so the exit code is 0.
            env.Error.WriteLine("vhd serve: stopping");
        }
        finally
        {
            await server.StopAsync().ConfigureAwait(false);
        }
        // The store (its actors) shuts down after this; a stop that hangs shows which side it is on.
        env.Error.WriteLine("vhd serve: every connection closed, every image flushed and closed");
        return 0;
    }

    /// <summary>HOST:PORT (HOST an address, [IPv6], or a name; PORT 0 picks a free one); null and why when it is not one.</summary>
    public static IPEndPoint? ParseListen(string text, out string? error)
    {
        error = null;
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), out int port) || port is < 0 or > 65535)
        {
            error = $"bad value for --listen: '{text}' (expected HOST:PORT, e.g. {DefaultListen})";
            return null;
        }
        string host = text[..colon].Trim('[', ']');
        if (IPAddress.TryParse(host, out var address)) return new IPEndPoint(address, port);
        try
        {
            var addresses = Dns.GetHostAddresses(host);
            var chosen = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault();
            if (chosen is not null) return new IPEndPoint(chosen, port);
            error = $"bad value for --listen: '{host}' has no address";
        }
        catch (SocketException e)
        {
            error = $"bad value for --listen: '{host}' does not resolve ({e.Message})";
        }
        return null;
    }
}
