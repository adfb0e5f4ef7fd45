using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Storage.VhdActors;
using Storage.VhdEngine.Disks;

namespace Storage.Benchmarks;

/// <summary>
/// `stream [WRITERS] [MIB] [ROUNDS]`: issue 13's harness. WRITERS concurrent writers (32), each with
/// its own image and a <see cref="VirtualDiskStream"/> over it, write MIB MiB (8) in 64 KiB calls and
/// flush, once with the synchronous Stream methods (each writer a thread-pool task, as a synchronous
/// caller in a service is) and once with the asynchronous ones, alternating over ROUNDS (3), each on
/// fresh images. Prints the median wall time of each and the most thread-pool threads seen during it
/// (the symptom of sync-over-async is the pool growing while the wall time explodes), and the load.
/// </summary>
public static class StreamWriters
{
    private const int Chunk = 64 * 1024;

    /// <summary>Runs the harness; args: [WRITERS] [MIB] [ROUNDS].</summary>
    public static int Run(string[] args)
    {
        int writers = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 32;
        int mib = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 8;
        int rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
        Console.WriteLine($"load before: {File.ReadAllText("/proc/loadavg").Trim()}  cores: {Environment.ProcessorCount}");
        var sync = new List<(double Seconds, int Threads)>();
        var async = new List<(double Seconds, int Threads)>();
        for (int r = 0; r < rounds; r++)
        {
            // Alternate who goes first, so drift in the machine's load hits both alike.
            foreach (bool synchronous in r % 2 == 0 ? new[] { true, false } : [false, true])
                (synchronous ? sync : async).Add(Measure(writers, mib, synchronous));
        }
        Console.WriteLine($"load after:  {File.ReadAllText("/proc/loadavg").Trim()}");
        Print("sync ", sync, writers, mib);
        Print("async", async, writers, mib);
        return 0;
    }

    private static void Print(string name, List<(double Seconds, int Threads)> runs, int writers, int mib)
    {
        double median = runs.Select(r => r.Seconds).Order().ElementAt(runs.Count / 2);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: {writers} writers x {mib} MiB: median {median:F2} s ({writers * mib / median:F0} MiB/s), runs [{string.Join(", ", runs.Select(r => r.Seconds.ToString("F2", CultureInfo.InvariantCulture)))}] s, pool threads max {runs.Max(r => r.Threads)}"));
    }

    private static (double Seconds, int Threads) Measure(int writers, int mib, bool synchronous)
    {
        using var images = new BenchImages();
        using var services = FacadeOverhead.StoreServices(); // disposing it stops the store's system
        var store = services.GetRequiredService<IDiskStore>();
        var disks = Task.Run(async () =>
        {
            var opened = new IDisk[writers];
            for (int i = 0; i < writers; i++)
                opened[i] = await store.CreateAsync(images[$"w{i}.vhd"], new VhdCreateOptions { Size = (long)(mib + 2) << 20 });
            return opened;
        }).GetAwaiter().GetResult();
        byte[] data = new byte[Chunk];
        new Random(13).NextBytes(data);
        int maxThreads = ThreadPool.ThreadCount;
        using var sampler = new Timer(_ => InterlockedMax(ref maxThreads, ThreadPool.ThreadCount), null, 0, 10);
        var clock = Stopwatch.StartNew();
        var tasks = disks.Select(disk => synchronous
            ? Task.Run(() => WriteSync(disk, data, mib))
            : Task.Run(() => WriteAsync(disk, data, mib))).ToArray();
        Task.WaitAll(tasks);
        double seconds = clock.Elapsed.TotalSeconds;
        InterlockedMax(ref maxThreads, ThreadPool.ThreadCount);
        Task.Run(async () =>
        {
            foreach (var disk in disks) await disk.DisposeAsync();
        }).GetAwaiter().GetResult();
        return (seconds, maxThreads);
    }

    private static void WriteSync(IDisk disk, byte[] data, int mib)
    {
        using var stream = disk.AsStream();
        for (int i = 0; i < (mib << 20) / Chunk; i++) stream.Write(data);
        stream.Flush();
    }

    private static async Task WriteAsync(IDisk disk, byte[] data, int mib)
    {
        await using var stream = disk.AsStream();
        for (int i = 0; i < (mib << 20) / Chunk; i++) await stream.WriteAsync(data);
        await stream.FlushAsync();
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
