using System.IO.Abstractions;
using System.Runtime.CompilerServices;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Storage.VhdActors;

/// <summary>Registers the VHD store in an application's services.</summary>
public static class VhdStorageHostingExtensions
{
    // Builders on which WithVhdStorage ran. Akka.Hosting runs builder callbacks only after the
    // container is built, so WithVhdStorage cannot register services itself; AddVhdStorage's
    // factory looks here to learn that the store must use the application's ActorSystem.
    private static readonly ConditionalWeakTable<AkkaConfigurationBuilder, VhdStorageOptions> Hosted = new();

    /// <summary>
    /// Registers <see cref="IDiskStore"/> and <see cref="IFileSystem"/> (the options' one, else
    /// the real file system, unless one is registered already). Without Akka.Hosting the store
    /// runs its own ActorSystem, started on first use and stopped with the host. With
    /// Akka.Hosting, also call <see cref="WithVhdStorage"/> on the <c>AddAkka</c> builder: the
    /// store then lives in that ActorSystem.
    /// </summary>
    public static IServiceCollection AddVhdStorage(this IServiceCollection services, VhdStorageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        options ??= new VhdStorageOptions();
        if (options.FileSystem is not null) services.AddSingleton(options.FileSystem);
        else services.TryAddSingleton<IFileSystem>(new FileSystem());
        services.TryAddSingleton(options);
        services.TryAddSingleton(sp => new VhdStorageHost(options, sp.GetRequiredService<IFileSystem>()));
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<VhdStorageHost>());
        services.TryAddSingleton<IDiskStore>(sp =>
        {
            var fs = sp.GetRequiredService<IFileSystem>();
            // Resolving the builder runs the application's AddAkka callbacks, WithVhdStorage included.
            if (sp.GetService<AkkaConfigurationBuilder>() is { } akka && Hosted.TryGetValue(akka, out var hostedOptions))
            {
                var manager = sp.GetRequiredService<IRequiredActor<ImageManager>>();
                return new DiskStore(ct => manager.GetAsync(ct), fs, hostedOptions);
            }
            var host = sp.GetRequiredService<VhdStorageHost>();
            return new DiskStore(_ => Task.FromResult(host.Manager), fs, options);
        });
        return services;
    }

    /// <summary>
    /// For applications that run Akka.Hosting: adds the library's default HOCON (as a fallback)
    /// and starts the <see cref="ImageManager"/> in the application's ActorSystem, registered in
    /// the ActorRegistry (inject <c>IRequiredActor&lt;ImageManager&gt;</c>). Pair it with
    /// <see cref="AddVhdStorage"/> to get <see cref="IDiskStore"/> from the container.
    /// </summary>
    public static AkkaConfigurationBuilder WithVhdStorage(this AkkaConfigurationBuilder builder, VhdStorageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        options ??= new VhdStorageOptions();
        Hosted.AddOrUpdate(builder, options);
        builder.AddHocon(VhdActorsConfig.Default, HoconAddMode.Append);
        return builder.WithActors((system, registry, resolver) =>
        {
            var fs = options.FileSystem ?? resolver.GetService<IFileSystem>() ?? new FileSystem();
            var manager = DiskStore.StartManager(system, options, fs, out _);
            registry.Register<ImageManager>(manager);
        });
    }
}
