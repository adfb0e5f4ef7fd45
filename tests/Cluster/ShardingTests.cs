using System.IO.Abstractions.TestingHelpers;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using Storage.VhdActors;
using Storage.VhdActors.Messages;
using Storage.VhdCluster;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Xunit;
using Xunit.Abstractions;

namespace Storage.Tests.Cluster;

/// <summary>Images as sharding entities on a single-node cluster: requests reach entities, and the hand-off flushes and closes.</summary>
public sealed class ShardingTests : Akka.TestKit.Xunit2.TestKit
{
    private const string ClusterHocon = """
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp.hostname = 127.0.0.1
        akka.remote.dot-netty.tcp.port = 0
        akka.cluster.min-nr-of-members = 1
        akka.cluster.sharding.state-store-mode = ddata
        akka.coordinated-shutdown.exit-clr = off
        akka.loglevel = WARNING
        akka.stdout-loglevel = WARNING
        akka.log-dead-letters = off
        """;

    public ShardingTests(ITestOutputHelper output)
        : base(ConfigurationFactory.ParseString(ClusterHocon).WithFallback(ImageActors.WireConfig), nameof(ShardingTests), output)
    {
    }

    [Fact]
    public async Task Entities_serve_the_facade_and_a_hand_off_flushes_and_closes_the_image()
    {
        var cluster = Akka.Cluster.Cluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
        AwaitCondition(() => cluster.SelfMember.Status == MemberStatus.Up, TimeSpan.FromSeconds(20));

        var fs = new MockFileSystem();
        fs.Directory.CreateDirectory("/vhd");
        var options = new VhdStorageOptions { FileSystem = fs, IdleTimeout = null, RequestTimeout = TimeSpan.FromSeconds(30) };
        var region = Sys.StartImageSharding(options);
        var store = Sys.CreateDiskStore(region, fs, options);

        string path = "/vhd/sharded.vhd";
        var disk = await store.CreateAsync(path, new VhdCreateOptions { Size = 4 << 20, BlockSize = 512 * 1024 });
        await disk.WriteAsync(2 << 20, new byte[] { 4, 5, 6 });
        var back = new byte[3];
        await disk.ReadAsync(2 << 20, back);
        Assert.Equal(new byte[] { 4, 5, 6 }, back);
        // A request the entity never opened its image for (a read after the create's actor) reopens it.
        await using (var reader = await store.OpenAsync(path, FileAccess.Read))
            Assert.Equal(3, await reader.ReadAsync(2 << 20, back));

        // A request entities do not handle is refused, not left to time out.
        region.Tell(new CommitImage(path, "/vhd/other.vhd", KeepChild: false));
        ExpectMsg<Status.Failure>(TimeSpan.FromSeconds(10));

        // No flush: the hand-off (shards leaving this node) must flush and close the image.
        Watch(region);
        region.Tell(GracefulShutdown.Instance);
        ExpectTerminated(region, TimeSpan.FromSeconds(20));

        using var reopened = VirtualDisk.Open(fs, path, FileAccess.ReadWrite);
        reopened.Read(2 << 20, back);
        Assert.Equal(new byte[] { 4, 5, 6 }, back);
    }

    [Fact]
    public void A_hand_off_flushes_closes_and_releases_the_lock_before_the_entity_stops()
    {
        var fs = new MockFileSystem();
        fs.Directory.CreateDirectory("/vhd");
        var options = new VhdStorageOptions { FileSystem = fs, IdleTimeout = null };
        ImageActors.Configure(Sys, options);
        string path = "/vhd/entity.vhd";
        var entity = Sys.ActorOf(ImageEntity.Props(fs, path, options));
        entity.Tell(new CreateImage(path, new VhdCreateOptions { Size = 4 << 20, BlockSize = 512 * 1024 }));
        ExpectMsg<ImageOpened>();
        entity.Tell(new WriteImage(path, 1 << 20, new byte[] { 7, 8, 9 }));
        ExpectMsg<ImageAck>();
        // Held for writing: nobody else can open it.
        Assert.Throws<VhdImageInUseException>(() => VirtualDisk.Open(fs, path, FileAccess.ReadWrite).Dispose());

        Watch(entity);
        entity.Tell(ImageHandOff.Instance);
        ExpectTerminated(entity);
        // The moment the entity is gone, the next owner can take the image, with the unflushed write in it.
        using var next = VirtualDisk.Open(fs, path, FileAccess.ReadWrite);
        var back = new byte[3];
        next.Read(1 << 20, back);
        Assert.Equal(new byte[] { 7, 8, 9 }, back);
    }

    [Fact]
    public void A_request_right_behind_a_close_reopens_the_image_instead_of_failing()
    {
        var cluster = Akka.Cluster.Cluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
        AwaitCondition(() => cluster.SelfMember.Status == MemberStatus.Up, TimeSpan.FromSeconds(20));
        var fs = new MockFileSystem();
        fs.Directory.CreateDirectory("/vhd");
        var options = new VhdStorageOptions { FileSystem = fs, IdleTimeout = null };
        var region = Sys.StartImageSharding(options);
        string path = "/vhd/closing.vhd";
        region.Tell(new CreateImage(path, new VhdCreateOptions { Size = 4 << 20, BlockSize = 512 * 1024 }));
        ExpectMsg<ImageOpened>(TimeSpan.FromSeconds(20));

        // One node's last handle closes the image while another node's request is right behind it.
        for (int i = 0; i < 5; i++)
        {
            region.Tell(new CloseImage(path));
            region.Tell(new OpenImage(path, FileAccess.ReadWrite));
            ExpectMsg<ImageAck>(TimeSpan.FromSeconds(10));
            Assert.Equal(path, ExpectMsg<ImageOpened>(TimeSpan.FromSeconds(10)).Path);
        }
    }
}
