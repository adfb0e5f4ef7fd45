using System.IO.Abstractions;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Storage.VhdActors;

namespace Storage.VhdCluster;

/// <summary>
/// Images as Akka.Cluster.Sharding entities keyed by full path (DESIGN.md §12): every node that hosts
/// images must see the same files at the same paths (shared storage).
/// </summary>
public static class ImageShardingExtensions
{
    /// <summary>Default sharding type name.</summary>
    public const string DefaultTypeName = "vhd-image";

    /// <summary>
    /// Starts the image shard region on this node (the system must use the cluster provider) and
    /// returns it; <see cref="CreateDiskStore"/> gives the store facade over it.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="system"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The system's config lacks <see cref="ImageActors.WireConfig"/> (the store's messages would cross nodes with no serializer of ours), or its <c>akka.cluster.sharding.state-store-mode</c> is not <c>ddata</c>.</exception>
    public static IActorRef StartImageSharding(this ActorSystem system, VhdStorageOptions? options = null, string typeName = DefaultTypeName, int maxShards = 64, string? role = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        if (!ImageActors.HasWireSerializer(system))
            throw new InvalidOperationException($"actor system '{system.Name}': the VHD store's message serializer is not registered; add ImageActors.WireConfig to its config (WithVhdImageSharding does)");
        options ??= new VhdStorageOptions();
        var fs = options.FileSystem ?? new FileSystem();
        // Get first: it injects the sharding defaults that the settings are read from.
        var sharding = ClusterSharding.Get(system);
        var settings = ClusterShardingSettings.Create(system);
        if (role is not null) settings = settings.WithRole(role);
        // With "persistence" and Akka's default in-memory journal, the shard locations live only on the
        // coordinator's node: after its kill the new coordinator knows no shard, and a survivor's images
        // could be opened a second time elsewhere (the image lock refuses them) or never handed off.
        if (settings.StateStoreMode != StateStoreMode.DData)
            throw new InvalidOperationException($"actor system '{system.Name}': akka.cluster.sharding.state-store-mode is '{settings.StateStoreMode}'; the image shards need 'ddata' (WithVhdImageSharding sets it), so the shard locations survive the coordinator's node");
        ImageActors.Configure(system, options);
        return sharding.Start(
            typeName,
            path => ImageEntity.Props(fs, path, options),
            settings,
            // ShardingEnvelope and StartEntity are unwrapped by the extractor itself.
            HashCodeMessageExtractor.Create(maxShards, ImageActors.ImagePath, m => m),
            sharding.DefaultShardAllocationStrategy(settings),
            ImageHandOff.Instance);
    }

    /// <summary>The store facade over an image shard region (snapshot there does not close a parent open on another node; commit is not routed to entities).</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IDiskStore CreateDiskStore(this ActorSystem system, IActorRef region, IFileSystem fileSystem, VhdStorageOptions? options = null) =>
        ImageActors.CreateStore(system, region, fileSystem, options);
}
