using Akka.Actor;

namespace Storage.VhdActors;

/// <summary>
/// The store in an <see cref="ActorSystem"/> the application runs itself. With a service container,
/// <see cref="VhdStorageHostingExtensions.AddVhdStorage(Microsoft.Extensions.DependencyInjection.IServiceCollection, VhdStorageOptions?)"/>
/// does this (in the container's ActorSystem if one is registered, else in its own).
/// </summary>
public static class VhdStorage
{
    /// <summary>
    /// Starts the image manager in <paramref name="system"/> (adding the library's default HOCON as a
    /// fallback if the system lacks the I/O dispatcher) and returns the store over it. Images live on
    /// <see cref="VhdStorageOptions.FileSystem"/>, else the real file system. Stopping the system
    /// flushes and closes every image.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="system"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="VhdStorageOptions.MaxInFlightPerImage"/> is less than 1.</exception>
    /// <exception cref="InvalidActorNameException">The system has an actor named <see cref="VhdStorageOptions.ManagerName"/> already.</exception>
    public static IDiskStore Start(ActorSystem system, VhdStorageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        var settings = (options ?? new VhdStorageOptions()).Snapshot();
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.MaxInFlightPerImage, 1, nameof(options.MaxInFlightPerImage));
        return DiskStore.Start(system, settings);
    }
}
