using System.IO.Abstractions;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Storage.VhdActors;
using Xunit;

namespace Storage.Tests.Actors;

/// <summary>AddVhdStorage (own ActorSystem) and WithVhdStorage (the application's Akka.Hosting system).</summary>
public sealed class HostingTests
{
    private static async Task RoundTrip(IDiskStore store, string path)
    {
        await using var disk = await store.CreateAsync(path, Fixtures.Small());
        await disk.WriteAsync(100, new byte[] { 1, 2, 3 });
        var back = new byte[3];
        await disk.ReadAsync(100, back);
        Assert.Equal(new byte[] { 1, 2, 3 }, back);
    }

    [Fact]
    public async Task AddVhdStorage_registers_the_store_and_the_file_system_and_runs_its_own_system()
    {
        var fs = Fixtures.NewFs();
        var services = new ServiceCollection();
        services.AddVhdStorage(new VhdStorageOptions { FileSystem = fs, ActorSystemName = "own-vhd" });
        await using (var provider = services.BuildServiceProvider())
        {
            Assert.Same(fs, provider.GetRequiredService<IFileSystem>());
            var store = provider.GetRequiredService<IDiskStore>();
            Assert.Same(fs, store.FileSystem);
            await RoundTrip(store, Fixtures.P("own.vhd"));
        }
        // Disposing the container stopped the system, which closed the image: it opens for writing.
        using var disk = Storage.VhdEngine.Disks.VirtualDisk.Open(fs, Fixtures.P("own.vhd"), FileAccess.ReadWrite);
    }

    [Fact]
    public async Task WithVhdStorage_puts_the_manager_in_the_applications_actor_system()
    {
        var fs = Fixtures.NewFs();
        var options = new VhdStorageOptions { FileSystem = fs };
        using var host = new HostBuilder()
            .ConfigureServices(services =>
            {
                services.AddVhdStorage(options);
                services.AddAkka("app", builder => builder.WithVhdStorage(options));
            })
            .Build();
        await host.StartAsync();
        try
        {
            var store = host.Services.GetRequiredService<IDiskStore>();
            await RoundTrip(store, Fixtures.P("hosted.vhd"));
            var manager = await host.Services.GetRequiredService<IRequiredActor<ImageManager>>().GetAsync();
            Assert.Equal("akka://app/user/vhd-images", manager.Path.ToString());
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
