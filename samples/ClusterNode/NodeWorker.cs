using System.Text;
using Microsoft.Extensions.Hosting;
using Storage.VhdActors;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;

namespace Storage.Samples.ClusterNode;

/// <summary>
/// What a node does: writes a greeting into an image of its own (created once), flushes it, then
/// every few seconds reads the first sector of every image in the shared directory through the
/// store, whichever node owns it. This is the part to copy into a real service.
/// </summary>
public sealed class NodeWorker(IDiskStore store, NodeSettings settings) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await GreetAsync(stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                await ReadAllAsync(stoppingToken);
                await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the host leaves the cluster next.
        }
    }

    private async Task GreetAsync(CancellationToken ct)
    {
        // snippet: cluster-worker
        Directory.CreateDirectory(settings.Directory);
        string path = Path.Combine(settings.Directory, $"{settings.Name}.vhd");
        await using var disk = await store.ExistsAsync(path, ct)
            ? await store.OpenAsync(path, FileAccess.ReadWrite, ct)
            : await store.CreateAsync(path, new VhdCreateOptions { Size = 64L << 20 }, ct);
        var greeting = new byte[512];
        Encoding.UTF8.GetBytes($"hello from {settings.Name} at {DateTimeOffset.UtcNow:O}").CopyTo(greeting, 0);
        await disk.WriteAsync(0, greeting, ct);
        await disk.FlushAsync(ct); // durable: survives this node, whichever node opens the image next
        // end snippet
        Console.WriteLine($"{settings.Name}: wrote {path}");
    }

    private async Task ReadAllAsync(CancellationToken ct)
    {
        foreach (string path in Directory.EnumerateFiles(settings.Directory, "*.vhd").Order())
        {
            try
            {
                await using var disk = await store.OpenAsync(path, FileAccess.Read, ct);
                var sector = new byte[512];
                await disk.ReadAsync(0, sector, ct);
                Console.WriteLine($"{settings.Name}: {Path.GetFileName(path)}: {Encoding.UTF8.GetString(sector).TrimEnd('\0')}");
            }
            catch (Exception e) when (e is VhdException or TimeoutException or IOException)
            {
                Console.WriteLine($"{settings.Name}: {Path.GetFileName(path)}: {e.Message}");
            }
        }
    }
}
