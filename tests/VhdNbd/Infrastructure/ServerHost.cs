using System.Net;
using Akka.Actor;
using Akka.Configuration;
using Storage.VhdActors;
using Storage.VhdNbd;

namespace Storage.Tests.VhdNbd.Infrastructure;

/// <summary>An NBD server on 127.0.0.1 (a free port) over a store in its own ActorSystem, serving a directory.</summary>
public sealed class ServerHost : IAsyncDisposable
{
    private const string Hocon = """
        akka.loglevel = WARNING
        akka.stdout-loglevel = WARNING
        akka.log-dead-letters = off
        akka.actor.provider = local
        """;

    private readonly ActorSystem _system;

    private ServerHost(ActorSystem system, IDiskStore store, NbdServer server)
    {
        _system = system;
        Store = store;
        Server = server;
    }

    public IDiskStore Store { get; }

    public NbdServer Server { get; }

    public int Port => Server.EndPoint.Port;

    public static async Task<ServerHost> StartAsync(string directory, bool readOnly = false, bool inlineIo = true)
    {
        var system = ActorSystem.Create($"nbd-test-{Guid.NewGuid():N}", ConfigurationFactory.ParseString(Hocon));
        try
        {
            var store = VhdStorage.Start(system, new VhdStorageOptions { IdleTimeout = null, InlineIo = inlineIo, RequestTimeout = TimeSpan.FromMinutes(1) });
            var catalog = await NbdExportCatalog.ScanAsync(store, directory, readOnly);
            var server = NbdServer.Start(store, catalog, new NbdServerOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0) });
            return new ServerHost(system, store, server);
        }
        catch
        {
            await system.Terminate();
            throw;
        }
    }

    public string Uri(string export) => $"nbd://127.0.0.1:{Port}/{export}";

    /// <summary>Stops the server (every image flushed and closed) and the actor system.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await Server.StopAsync();
        }
        finally
        {
            await _system.Terminate();
        }
    }
}
