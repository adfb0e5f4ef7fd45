namespace Storage.VhdCluster;

/// <summary>
/// The key of the image shard region in Akka.Hosting's <c>ActorRegistry</c>
/// (<see cref="VhdClusterHostingExtensions.WithVhdImageSharding"/> registers it there).
/// </summary>
public sealed class ImageShardRegion
{
    private ImageShardRegion() { }
}
