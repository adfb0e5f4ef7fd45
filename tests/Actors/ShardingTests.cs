using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using Storage.VhdEngine;
using Storage.VhdActors;
using Storage.VhdActors.Messages;
using Storage.VhdEngine.Disks;
using Xunit;
using Xunit.Abstractions;

namespace Storage.Tests.Actors;

/// <summary>The sharding option on a single-node cluster: requests reach entities, and the hand-off flushes and closes.</summary>
public sealed class ShardingTests : Akka.TestKit.Xunit2.TestKit
{
    private const string ClusterHocon = """
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp.hostname = 127.0.0.1
        akka.remote.dot-netty.tcp.port = 0
        akka.cluster.min-nr-of-members = 1
        akka.coordinated-shutdown.exit-clr = off
        """;

    public ShardingTests(ITestOutputHelper output)
        : base(ConfigurationFactory.ParseString(ClusterHocon + "\n" + Fixtures.Hocon), nameof(ShardingTests), output)
    {
    }

    [Fact]
    public async Task Entities_serve_the_facade_and_a_hand_off_flushes_and_closes_the_image()
    {
        var cluster = Cluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
        AwaitCondition(() => cluster.SelfMember.Status == MemberStatus.Up, TimeSpan.FromSeconds(20));

        var fs = Fixtures.NewFs();
        var options = Fixtures.Options(fs);
        var region = Sys.StartImageSharding(options);
        var store = ImageShardingExtensions.CreateDiskStore(region, fs, options);

        string path = Fixtures.P("sharded.vhd");
        var disk = await store.CreateAsync(path, Fixtures.Small());
        await disk.WriteAsync(2 << 20, new byte[] { 4, 5, 6 });
        var back = new byte[3];
        await disk.ReadAsync(2 << 20, back);
        Assert.Equal(new byte[] { 4, 5, 6 }, back);

        // A request entities do not handle is refused, not left to time out.
        region.Tell(new CommitImage(path, Fixtures.P("other.vhd"), KeepChild: false));
        Assert.IsAssignableFrom<VhdException>(ExpectMsg<Status.Failure>(TimeSpan.FromSeconds(10)).Cause);

        // No flush: the hand-off (shards leaving this node) must flush and close the image.
        Watch(region);
        region.Tell(GracefulShutdown.Instance);
        ExpectTerminated(region, TimeSpan.FromSeconds(20));

        using var reopened = VirtualDisk.Open(fs, path, FileAccess.ReadWrite);
        reopened.Read(2 << 20, back);
        Assert.Equal(new byte[] { 4, 5, 6 }, back);
    }
}
