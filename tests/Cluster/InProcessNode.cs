using System.IO.Abstractions;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using Storage.VhdActors;
using Storage.VhdCluster;

namespace Storage.Tests.Cluster;

/// <summary>One cluster node in this process: an ActorSystem on a loopback port, the image shard region and a store over it.</summary>
internal sealed class InProcessNode : IAsyncDisposable
{
    private const string Hocon = """
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp.hostname = 127.0.0.1
        akka.remote.dot-netty.tcp.port = 0
        akka.coordinated-shutdown.exit-clr = off
        akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
        akka.loglevel = WARNING
        akka.stdout-loglevel = WARNING
        akka.log-dead-letters = off
        akka.cluster.sharding.passivate-idle-entity-after = off
        akka.cluster.sharding.state-store-mode = ddata
        akka.remote.dot-netty.tcp.maximum-frame-size = 34603008b
        """;

    private InProcessNode(ActorSystem system, IActorRef region, IDiskStore store)
    {
        System = system;
        Region = region;
        Store = store;
    }

    public ActorSystem System { get; }

    public IActorRef Region { get; }

    public IDiskStore Store { get; }

    public Akka.Cluster.Cluster Cluster => Akka.Cluster.Cluster.Get(System);

    public Address Address => Cluster.SelfAddress;

    /// <summary>Starts a node that joins <paramref name="seed"/> (itself when null) and its shard region.</summary>
    public static InProcessNode Start(Address? seed, VhdStorageOptions? options = null)
    {
        var system = ActorSystem.Create("vhd", ConfigurationFactory.ParseString(Hocon).WithFallback(ImageActors.WireConfig));
        var cluster = Akka.Cluster.Cluster.Get(system);
        cluster.Join(seed ?? cluster.SelfAddress);
        options ??= new VhdStorageOptions { IdleTimeout = null, RequestTimeout = TimeSpan.FromSeconds(30) };
        var region = system.StartImageSharding(options);
        return new InProcessNode(system, region, system.CreateDiskStore(region, new FileSystem(), options));
    }

    /// <summary>The image paths whose entities live on this node.</summary>
    public async Task<HashSet<string>> HostedImagesAsync()
    {
        var state = await Region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(10));
        return [.. state.Shards.SelectMany(s => s.EntityIds)];
    }

    public async ValueTask DisposeAsync() => await System.Terminate();

    /// <summary>
    /// Waits until every node sees <paramref name="count"/> members up and the shard coordinator knows
    /// <paramref name="count"/> regions: before that, every new shard is allocated to the regions already
    /// registered, and a test that needs an image on another node would find them all on one.
    /// </summary>
    public static async Task AwaitUpAsync(int count, params InProcessNode[] nodes)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!nodes.All(n => n.Cluster.State.Members.Count(m => m.Status == MemberStatus.Up) == count))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the cluster did not reach {count} members up");
            await Task.Delay(100);
        }
        foreach (var node in nodes)
        {
            while ((await node.Region.Ask<CurrentRegions>(GetCurrentRegions.Instance, TimeSpan.FromSeconds(10))).Regions.Count != count)
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"the shard coordinator did not register {count} regions");
                await Task.Delay(100);
            }
        }
    }
}
