using System.IO.Abstractions;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Storage.VhdActors.Messages;

namespace Storage.VhdActors;

/// <summary>
/// The distributed option: images as Akka.Cluster.Sharding entities (<see cref="ImageEntity"/>)
/// keyed by full path, with <see cref="ImageHandOff"/> as the hand-off stop message. The
/// returned region accepts the same <see cref="IImageRequest"/> messages as the
/// <see cref="ImageManager"/>, so <see cref="DiskStore"/> works over it unchanged.
/// </summary>
public static class ImageShardingExtensions
{
    /// <summary>Default sharding type name.</summary>
    public const string DefaultTypeName = "vhd-image";

    /// <summary>
    /// Starts the image shard region on this node (the system must use the cluster provider).
    /// Every node that hosts images must see the same files at the same paths (shared storage).
    /// </summary>
    public static IActorRef StartImageSharding(this ActorSystem system, VhdStorageOptions? options = null, string typeName = DefaultTypeName, int maxShards = 64, string? role = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        options ??= new VhdStorageOptions();
        DiskStore.EnsureConfig(system, options);
        var fs = options.FileSystem ?? new FileSystem();
        // Get first: it injects the sharding defaults that the settings are read from.
        var sharding = ClusterSharding.Get(system);
        var settings = ClusterShardingSettings.Create(system);
        if (role is not null) settings = settings.WithRole(role);
        // Requests still queued at a stopped image actor get a failure reply, as with the manager.
        system.ActorOf(DeadLetterReplier.Props(), $"{typeName}-dead-letter-replier");
        return sharding.Start(
            typeName,
            path => ImageEntity.Props(fs, path, options),
            settings,
            // ShardingEnvelope and StartEntity are unwrapped by the extractor itself.
            HashCodeMessageExtractor.Create(maxShards, m => (m as IImageRequest)?.Path, m => m),
            sharding.DefaultShardAllocationStrategy(settings),
            ImageHandOff.Instance);
    }

    /// <summary>A facade over an image shard region.</summary>
    public static IDiskStore CreateDiskStore(IActorRef region, IFileSystem fileSystem, VhdStorageOptions? options = null) =>
        new DiskStore(region, fileSystem, options);
}
