using Akka.Actor;
using Akka.Configuration;
using Storage.VhdActors;
using Storage.VhdCluster;
using Xunit;

namespace Storage.Tests.Cluster;

/// <summary>
/// The image shards refuse a system whose shard locations would die with the coordinator's node
/// (state-store-mode "persistence", Akka's default, over the default in-memory journal).
/// </summary>
public sealed class ShardingConfigGuardTests
{
    private const string Hocon = """
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp.hostname = 127.0.0.1
        akka.remote.dot-netty.tcp.port = 0
        akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
        akka.loglevel = WARNING
        akka.stdout-loglevel = WARNING
        """;

    [Fact]
    public async Task Starting_the_image_shards_with_the_persistence_state_store_names_the_setting()
    {
        using var system = ActorSystem.Create("guard", ConfigurationFactory.ParseString(Hocon).WithFallback(ImageActors.WireConfig));
        try
        {
            var error = Assert.Throws<InvalidOperationException>(() => system.StartImageSharding());
            Assert.Contains("akka.cluster.sharding.state-store-mode is 'Persistence'", error.Message);
            Assert.Contains("'ddata'", error.Message);
        }
        finally
        {
            await system.Terminate();
        }
    }
}
