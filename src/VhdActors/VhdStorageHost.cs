using System.IO.Abstractions;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Hosting.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Storage.VhdActors;

/// <summary>
/// The store of a service container (<see cref="VhdStorageHostingExtensions.AddVhdStorage(IServiceCollection, VhdStorageOptions?)"/>):
/// in the container's ActorSystem when it has one, else in an ActorSystem of its own, started on first
/// use (so a container that never asks for the store starts no threads) and stopped with the host or
/// the container. That system logs to the container's <see cref="ILoggerFactory"/>, not to stdout.
/// </summary>
internal sealed class VhdStorageHost(IServiceProvider services, IOptions<VhdStorageOptions> options) : IHostedService, IAsyncDisposable, IDisposable
{
    private readonly Lock _gate = new();
    private DiskStore? _store;
    private ActorSystem? _own;

    public IDiskStore Store
    {
        get
        {
            lock (_gate) return _store ??= Start();
        }
    }

    private DiskStore Start()
    {
        var settings = options.Value.Snapshot();
        var fs = settings.FileSystem ?? services.GetService<IFileSystem>() ?? new FileSystem();
        // Akka.Hosting (or the application) registered an ActorSystem: the manager lives there.
        var system = services.GetService<ActorSystem>() ?? (_own = CreateSystem(settings));
        return DiskStore.Start(system, settings, fs);
    }

    private ActorSystem CreateSystem(VhdStorageOptions settings)
    {
        var config = ConfigurationFactory.ParseString("""
            akka.loggers = ["Akka.Hosting.Logging.LoggerFactoryLogger, Akka.Hosting"]
            akka.stdout-loglevel = OFF
            akka.log-dead-letters = off
            """);
        if (settings.AkkaConfig is not null) config = ConfigurationFactory.ParseString(settings.AkkaConfig).WithFallback(config);
        var loggers = services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        var setup = BootstrapSetup.Create().WithConfig(config.WithFallback(VhdActorsConfig.Default)).And(new LoggerFactorySetup(loggers));
        return ActorSystem.Create(settings.ActorSystemName, setup);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => StopCoreAsync();

    public async ValueTask DisposeAsync() => await StopCoreAsync().ConfigureAwait(false);

    // A container disposed synchronously (ServiceProvider.Dispose) must not throw for want of
    // IDisposable: stopping the system is waited for here instead.
    public void Dispose() => StopCoreAsync().GetAwaiter().GetResult();

    private async Task StopCoreAsync()
    {
        ActorSystem? own;
        lock (_gate) own = _own;
        // Terminating stops every image actor, and each one flushes and closes its image. A shared
        // system is the application's to stop.
        if (own is not null) await own.Terminate().ConfigureAwait(false);
    }
}
