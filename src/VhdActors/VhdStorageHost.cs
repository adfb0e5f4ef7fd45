using System.IO.Abstractions;
using Akka.Actor;
using Akka.Configuration;
using Microsoft.Extensions.Hosting;

namespace Storage.VhdActors;

/// <summary>
/// The ActorSystem that <see cref="VhdStorageHostingExtensions.AddVhdStorage"/> runs for an
/// application that has none. Started on first use (so a container that never asks for the
/// store starts no threads); stopped with the host, or when the container is disposed.
/// </summary>
internal sealed class VhdStorageHost : IHostedService, IAsyncDisposable
{
    private readonly VhdStorageOptions _options;
    private readonly Lazy<(ActorSystem System, IActorRef Manager)> _started;

    public VhdStorageHost(VhdStorageOptions options, IFileSystem fileSystem)
    {
        _options = options;
        FileSystem = fileSystem;
        _started = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public IFileSystem FileSystem { get; }

    public IActorRef Manager => _started.Value.Manager;

    private (ActorSystem, IActorRef) Start()
    {
        var config = (_options.AkkaConfig is null ? Config.Empty : ConfigurationFactory.ParseString(_options.AkkaConfig))
            .WithFallback(VhdActorsConfig.Default);
        var system = ActorSystem.Create(_options.ActorSystemName, config);
        var manager = DiskStore.StartManager(system, _options, FileSystem, out _);
        return (system, manager);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => StopCoreAsync();

    public async ValueTask DisposeAsync() => await StopCoreAsync().ConfigureAwait(false);

    private async Task StopCoreAsync()
    {
        if (!_started.IsValueCreated) return;
        // Terminating stops every image actor, and each one flushes and closes its image.
        await _started.Value.System.Terminate().ConfigureAwait(false);
    }
}
