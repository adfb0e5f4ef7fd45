using System.IO.Abstractions;
using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Storage.VhdActors;

/// <summary>Registers the VHD store in an application's services: one call, with or without Akka.Hosting.</summary>
public static class VhdStorageHostingExtensions
{
    /// <summary>
    /// Registers <see cref="IDiskStore"/> (and <see cref="IFileSystem"/>, the real one, unless one is
    /// registered already), configured by <see cref="IOptions{TOptions}"/> of
    /// <see cref="VhdStorageOptions"/>, or by <paramref name="options"/> when given. Where the container
    /// has an <see cref="ActorSystem"/> (Akka.Hosting's <c>AddAkka</c> registers one) the store's image
    /// manager starts in it; otherwise the store runs an ActorSystem of its own, started on first use
    /// and stopped with the host (or the container), whose logs go to the container's
    /// <see cref="ILoggerFactory"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    public static IServiceCollection AddVhdStorage(this IServiceCollection services, VhdStorageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<VhdStorageOptions>();
        if (options is not null) services.Replace(ServiceDescriptor.Singleton<IOptions<VhdStorageOptions>>(Options.Create(options)));
        services.TryAddSingleton<IFileSystem>(sp => sp.GetRequiredService<IOptions<VhdStorageOptions>>().Value.FileSystem ?? new FileSystem());
        services.TryAddSingleton<VhdStorageHost>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, VhdStorageHost>(sp => sp.GetRequiredService<VhdStorageHost>()));
        services.TryAddSingleton<IDiskStore>(sp => sp.GetRequiredService<VhdStorageHost>().Store);
        return services;
    }

    /// <summary>
    /// <see cref="AddVhdStorage(IServiceCollection, VhdStorageOptions?)"/>, with the options set by
    /// <paramref name="configure"/> (after any other configuration of <see cref="VhdStorageOptions"/>).
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IServiceCollection AddVhdStorage(this IServiceCollection services, Action<VhdStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.Configure(configure);
        return services.AddVhdStorage();
    }
}
