using System.IO.Abstractions;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using System.IO.Abstractions.TestingHelpers;
using Storage.FaultInjection;
using Storage.VhdActors;
using Storage.VhdEngine;
using Xunit;

namespace Storage.Tests.Actors;

/// <summary>AddVhdStorage: its own ActorSystem, or the application's Akka.Hosting system when one is registered.</summary>
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
    public async Task AddVhdStorage_alone_puts_the_manager_in_the_Akka_Hosting_system()
    {
        var fs = Fixtures.NewFs();
        using var host = new HostBuilder()
            .ConfigureServices(services =>
            {
                services.AddAkka("app", _ => { });
                services.AddVhdStorage(options => options.FileSystem = fs);
            })
            .Build();
        await host.StartAsync();
        try
        {
            var store = host.Services.GetRequiredService<IDiskStore>();
            await RoundTrip(store, Fixtures.P("hosted.vhd"));
            var system = host.Services.GetRequiredService<Akka.Actor.ActorSystem>();
            Assert.Equal("app", system.Name);
            var manager = await system.ActorSelection("/user/vhd-images").ResolveOne(TimeSpan.FromSeconds(10));
            Assert.Equal("akka://app/user/vhd-images", manager.Path.ToString());
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task AddVhdStorage_takes_its_options_from_IOptions_and_sends_Akka_logs_to_ILogger()
    {
        var inner = Fixtures.NewFs();
        inner.AddFile(Fixtures.P("junk.vhd"), new MockFileData(new byte[4096]));
        var fs = new FaultFileSystem(inner);
        var logged = new LogSink();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(logged).SetMinimumLevel(LogLevel.Debug));
        services.Configure<VhdStorageOptions>(o => o.ActorSystemName = "configured-vhd");
        services.AddVhdStorage(o => o.FileSystem = fs);
        var stdout = Console.Out;
        using var captured = new StringWriter();
        Console.SetOut(captured);
        try
        {
            await using var provider = services.BuildServiceProvider();
            var store = provider.GetRequiredService<IDiskStore>();
            Assert.Same(fs, store.FileSystem);
            // Not a VHD: the caller gets the engine's format error; nothing goes to stdout.
            await Assert.ThrowsAsync<VhdFormatException>(() => store.OpenAsync(Fixtures.P("junk.vhd")));
            // An I/O error restarts the image's actor, which logs a warning.
            await using var disk = await store.CreateAsync(Fixtures.P("a.vhd"), Fixtures.Small());
            await disk.WriteAsync(0, new byte[] { 1 });
            await disk.FlushAsync();
            fs.Plan = new FaultPlan().FailAt(0);
            await Assert.ThrowsAsync<VhdIOException>(() => disk.WriteAsync(4096, new byte[] { 2 }));
            fs.Plan = null;
            await disk.WriteAsync(4096, new byte[] { 3 });
            Assert.Equal("configured-vhd", provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<VhdStorageOptions>>().Value.ActorSystemName);
        }
        finally
        {
            Console.SetOut(stdout);
        }
        Assert.Contains(logged.Entries, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("restarted", StringComparison.Ordinal) && l.Contains(Fixtures.P("a.vhd"), StringComparison.Ordinal));
        // Console.Out is the process's: other test classes' actor systems, running in parallel, may
        // write there meanwhile. This store's system is "configured-vhd"; none of its lines may.
        var ours = captured.ToString().Split('\n').Where(l => l.Contains("configured-vhd", StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(ours, l => l.Contains("[ERROR]", StringComparison.Ordinal) || l.Contains("[WARNING]", StringComparison.Ordinal));
    }
}
