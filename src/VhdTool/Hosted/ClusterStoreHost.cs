using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Storage.VhdActors;
using Storage.VhdCluster;

namespace Storage.VhdTool.Hosted;

/// <summary>
/// The store of `vhd serve --cluster` (DESIGN.md §12): a generic host with an Akka.Cluster node
/// (Akka.Cluster.Hosting: remoting on the node's address, the seeds, a keep-majority Split Brain
/// Resolver) and the image shard region, and <see cref="IDiskStore"/> over that region, so any node
/// serves any image and forwards to the node that owns it. Stopping the host leaves the cluster
/// gracefully: every image this node owns is flushed, closed and unlocked before its shard moves.
/// </summary>
internal static class ClusterStoreHost
{
    public static async Task<(IHost Host, IDiskStore Store)> StartAsync(ClusterServeSettings cluster, VhdStorageOptions options, TextWriter error, CancellationToken cancellationToken)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton<IHostLifetime, ServeHostLifetime>();
        builder.Logging.AddProvider(new ServeLoggerProvider(error));
        // VHD_DEBUG=1: Akka's debug log too (the sharding coordinator's decisions are logged at debug).
        if (ServeLogger.Debug) builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddAkka(ClusterServeSettings.SystemName, akka => akka
            .ConfigureLoggers(l =>
            {
                l.LogLevel = ServeLogger.Debug ? Akka.Event.LogLevel.DebugLevel : Akka.Event.LogLevel.WarningLevel;
                l.ClearLoggers();
                l.AddLoggerFactory();
            })
            .AddHocon($$"""
                akka.log-dead-letters = off
                akka.log-dead-letters-during-shutdown = off
                akka.cluster.split-brain-resolver.stable-after = {{(int)cluster.StableAfter.TotalMilliseconds}}ms
                akka.cluster.sharding.passivate-idle-entity-after = off
                akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
                """, HoconAddMode.Prepend)
            .WithRemoting(cluster.Host, cluster.Port)
            .WithClustering(new ClusterOptions { SeedNodes = cluster.SeedAddresses, SplitBrainResolver = new KeepMajorityOption() })
            .WithVhdImageSharding(options));
        builder.Services.AddVhdClusterStorage(options);
        var host = builder.Build();
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        await MemberUpAsync(host.Services.GetRequiredService<ActorSystem>(), cancellationToken).ConfigureAwait(false);
        var region = await host.Services.GetRequiredService<IRequiredActor<ImageShardRegion>>().GetAsync(cancellationToken).ConfigureAwait(false);
        await RegionsRegisteredAsync(region, cluster.MinMembers, cancellationToken).ConfigureAwait(false);
        return (host, host.Services.GetRequiredService<IDiskStore>());
    }

    /// <summary>
    /// Waits until the shard coordinator knows <paramref name="count"/> regions, so the first images
    /// opened are spread over that many nodes. This, not Akka's <c>min-nr-of-members</c>, holds the node
    /// back: the coordinator waits for that many regions whenever it starts, also on a survivor after its
    /// node was killed, and with fewer nodes left it would never serve again.
    /// </summary>
    private static async Task RegionsRegisteredAsync(IActorRef region, int count, CancellationToken cancellationToken)
    {
        while (await RegionCountAsync(region, cancellationToken).ConfigureAwait(false) < count)
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The regions the coordinator knows; 0 while no coordinator answers (it is still starting).</summary>
    private static async Task<int> RegionCountAsync(IActorRef region, CancellationToken cancellationToken)
    {
        try
        {
            return (await region.Ask<CurrentRegions>(GetCurrentRegions.Instance, TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false)).Regions.Count;
        }
        catch (AskTimeoutException)
        {
            return 0;
        }
    }

    /// <summary>Waits until this node is an Up member (it has joined a seed).</summary>
    private static async Task MemberUpAsync(ActorSystem system, CancellationToken cancellationToken)
    {
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Akka.Cluster.Cluster.Get(system).RegisterOnMemberUp(() => up.TrySetResult());
        await up.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}
