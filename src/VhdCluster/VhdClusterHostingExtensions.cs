using System.IO.Abstractions;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Storage.VhdActors;

namespace Storage.VhdCluster;

/// <summary>
/// The clustered store in an Akka.Hosting application (DESIGN.md §12): the image shard region in the
/// application's ActorSystem, and <see cref="IDiskStore"/> over it. Clustering itself (remoting, seeds,
/// the Split Brain Resolver) is the application's <c>WithClustering</c>; see <c>samples/ClusterNode</c>.
/// </summary>
public static class VhdClusterHostingExtensions
{
    /// <summary>
    /// The remoting frame size the clustered store needs: a read or write of up to 32 MiB (an NBD
    /// request's largest payload) and its header in one message. Akka's default, 128000 bytes, would
    /// drop a 1 MiB read's reply on the floor (and the caller would wait for its timeout).
    /// </summary>
    public const int MaximumFrameSize = (32 << 20) + (1 << 20);

    /// <summary>
    /// Registers the store's message serializer (<see cref="ImageActors.WireConfig"/>), raises the
    /// remoting frame size to <see cref="MaximumFrameSize"/>, keeps the shard locations in distributed
    /// data (<c>state-store-mode = ddata</c>: they survive the loss of the coordinator's node), and starts the image shard region with the
    /// system, registered in the <see cref="ActorRegistry"/> under <see cref="ImageShardRegion"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static AkkaConfigurationBuilder WithVhdImageSharding(this AkkaConfigurationBuilder builder, VhdStorageOptions options, string? role = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        return builder
            .AddHocon(ImageActors.WireConfig, HoconAddMode.Append)
            .AddHocon($"akka.remote.dot-netty.tcp.maximum-frame-size = {MaximumFrameSize}b", HoconAddMode.Prepend)
            .AddHocon("akka.cluster.sharding.state-store-mode = ddata", HoconAddMode.Prepend)
            .WithActors((system, registry) => registry.Register<ImageShardRegion>(system.StartImageSharding(options, role: role)));
    }

    /// <summary>
    /// Registers <see cref="IDiskStore"/> over the image shard region that
    /// <see cref="WithVhdImageSharding"/> starts with the ActorSystem (the store may be resolved before
    /// the host starts, by a hosted service's constructor: its first request waits for the region).
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IServiceCollection AddVhdClusterStorage(this IServiceCollection services, VhdStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton<IDiskStore>(sp =>
        {
            var region = sp.GetRequiredService<IRequiredActor<ImageShardRegion>>();
            return ImageActors.CreateStore(region.GetAsync, options.FileSystem ?? new FileSystem(), options);
        });
        return services;
    }
}
