using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Storage.VhdEngine;
using Storage.VhdActors;
using Storage.VhdEngine.Disks;

namespace Storage.Samples.EmbeddedService;

/// <summary>
/// Creates an image, writes to it, snapshots it, writes to the snapshot, reads both back, and
/// stops the host. This is the part to copy into a real service.
/// </summary>
public sealed class SampleWorker(IDiskStore store, SampleSettings settings, IHostApplicationLifetime lifetime) : BackgroundService
{
    /// <summary>The sample's own ActivitySource: its "sample" span parents the vhd.* spans.</summary>
    public const string ActivitySourceName = "vhd-embedded-sample";

    private static readonly ActivitySource Source = new(ActivitySourceName);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RunAsync(stoppingToken);
        }
        catch (VhdException e)
        {
            Console.Error.WriteLine($"vhd error: {e.Message}");
            Environment.ExitCode = 1;
        }
        finally
        {
            lifetime.StopApplication();
        }
    }

    private async Task RunAsync(CancellationToken ct)
    {
        var fs = store.FileSystem;
        fs.Directory.CreateDirectory(settings.Directory);
        string basePath = fs.Path.Combine(settings.Directory, "base.vhd");
        string childPath = fs.Path.Combine(settings.Directory, "child.vhd");
        foreach (var p in new[] { basePath, childPath })
        {
            if (fs.File.Exists(p))
            {
                fs.File.SetAttributes(p, FileAttributes.Normal); // a snapshot parent is read-only
                fs.File.Delete(p);
            }
        }

        using var activity = Source.StartActivity("sample");
        var hello = "hello, base image"u8.ToArray();
        var world = "hello, snapshot"u8.ToArray();

        // snippet: worker
        // 1. A 64 MiB dynamic image: only the blocks written take space.
        await using (var disk = await store.CreateAsync(basePath, new VhdCreateOptions { Size = 64L << 20 }, ct))
        {
            await disk.WriteAsync(0, hello, ct);
            await disk.WriteAsync(10L << 20, hello, ct);
            await disk.FlushAsync(ct); // the durability point
            Console.WriteLine($"created {disk.Path}: {disk.Length} bytes");
        }

        // 2. Freeze it and send new writes to a differencing child.
        await store.SnapshotAsync(basePath, childPath, ct);
        await using (var child = await store.OpenAsync(childPath, FileAccess.ReadWrite, ct))
        {
            await child.WriteAsync(10L << 20, world, ct);
            await child.FlushAsync(ct);

            // 3. Read through the chain: sector 0 comes from the parent, 10 MiB from the child.
            var buffer = new byte[hello.Length];
            await child.ReadAsync(0, buffer, ct);
            Console.WriteLine($"child @0     : {System.Text.Encoding.ASCII.GetString(buffer)}");
            buffer = new byte[world.Length];
            await child.ReadAsync(10L << 20, buffer, ct);
            Console.WriteLine($"child @10MiB : {System.Text.Encoding.ASCII.GetString(buffer)}");
            Console.WriteLine($"chain        : {string.Join(" -> ", child.Chain)}");
        }

        // 4. The parent still holds what it had when it was frozen (read it as a stream).
        await using (var parent = await store.OpenAsync(basePath, FileAccess.Read, ct))
        await using (var stream = parent.AsStream())
        {
            stream.Position = 10L << 20;
            var buffer = new byte[hello.Length];
            await stream.ReadExactlyAsync(buffer, ct);
            Console.WriteLine($"parent @10MiB: {System.Text.Encoding.ASCII.GetString(buffer)}");
        }
        // end snippet
    }
}
