using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Storage.VhdActors;
using Storage.VhdEngine.Disks;

namespace Storage.Benchmarks;

/// <summary>
/// The facade's overhead per 4 KiB request, measured request by request with Stopwatch: N reads
/// and N writes through <see cref="IDisk"/> and N of each straight on a <see cref="VirtualDisk"/>,
/// interleaved in rounds (so machine load hits both alike), after a warm-up. Overhead = the
/// facade's percentile minus the direct one in the same round (median and p99), the median of
/// that over the rounds. No allocation in the loops.
/// </summary>
public static class FacadeOverhead
{
    private const int RequestSize = 4096;
    private const long ImageSize = 256L << 20;
    private const long Step = 2101248;
    private const int Rounds = 20;

    /// <summary>A store as an application without a host gets it (its own ActorSystem), quiet; <paramref name="inlineIo"/> as the option.</summary>
    public static ServiceProvider StoreServices(bool inlineIo = true) => new ServiceCollection().AddVhdStorage(new VhdStorageOptions
    {
        InlineIo = inlineIo,
        IdleTimeout = null,
        ActorSystemName = "vhd-bench",
        AkkaConfig = "akka { loglevel = OFF, stdout-loglevel = OFF, log-dead-letters = off, log-dead-letters-during-shutdown = off, actor.provider = local }",
    }).BuildServiceProvider();

    /// <summary>Runs the measurement; args: [REQUESTS] [--json] [--messages] (the facade with InlineIo off).</summary>
    public static int Run(string[] args)
    {
        int requests = 100_000;
        bool json = false, inlineIo = true;
        foreach (var a in args)
        {
            if (a == "--json") json = true;
            else if (a == "--messages") inlineIo = false;
            else requests = int.Parse(a, CultureInfo.InvariantCulture);
        }
        requests = Math.Max(Rounds, requests / Rounds * Rounds);
        var result = Task.Run(() => MeasureAsync(requests, inlineIo)).GetAwaiter().GetResult();
        Console.WriteLine(json ? result.ToJson() : result.ToText());
        return 0;
    }

    private static async Task<OverheadResult> MeasureAsync(int requests, bool inlineIo)
    {
        using var images = new BenchImages();
        // One image for both paths, opened by one at a time: both see the same file and page-cache
        // state. Each phase ends with a flush (untimed), so each starts on clean pages.
        string path = images.Allocated("overhead.vhd", ImageSize);
        await using var services = StoreServices(inlineIo);
        var store = services.GetRequiredService<IDiskStore>();
        byte[] buffer = new byte[RequestSize];
        new Random(9).NextBytes(buffer);

        var directRead = new long[requests];
        var directWrite = new long[requests];
        var facadeRead = new long[requests];
        var facadeWrite = new long[requests];
        // Warm-up: JIT and tiering of both paths, the actors, the pages in cache.
        var warm = new long[20_000];
        for (int i = 0; i < 2; i++)
        {
            DirectPhase(path, buffer, warm, warm, 0, warm.Length);
            await FacadePhaseAsync(store, path, buffer, warm, warm, 0, warm.Length);
        }
        int perRound = requests / Rounds;
        for (int r = 0; r < Rounds; r++)
        {
            int first = r * perRound;
            // Alternate which path goes first, so neither always follows the other's flush.
            if (r % 2 == 0) DirectPhase(path, buffer, directRead, directWrite, first, perRound);
            await FacadePhaseAsync(store, path, buffer, facadeRead, facadeWrite, first, perRound);
            if (r % 2 == 1) DirectPhase(path, buffer, directRead, directWrite, first, perRound);
        }
        // The overhead per round (facade percentile minus direct percentile of the same round, so
        // load that drifts between rounds cancels), then the median over the rounds.
        var readOverhead = Stats.PairedByRound(facadeRead, directRead, Rounds);
        var writeOverhead = Stats.PairedByRound(facadeWrite, directWrite, Rounds);
        return new OverheadResult(requests, Stats.Of(directRead), Stats.Of(facadeRead), readOverhead, Stats.Of(directWrite), Stats.Of(facadeWrite), writeOverhead);
    }

    private static void DirectPhase(string path, byte[] buffer, long[] reads, long[] writes, int first, int count)
    {
        using var disk = VirtualDisk.Open(BenchImages.Fs, path, FileAccess.ReadWrite);
        Direct(disk, buffer, reads, first, count, write: false);
        Direct(disk, buffer, writes, first, count, write: true);
        disk.Flush();
    }

    private static async Task FacadePhaseAsync(IDiskStore store, string path, byte[] buffer, long[] reads, long[] writes, int first, int count)
    {
        var disk = await store.OpenAsync(path, FileAccess.ReadWrite);
        await using (disk.ConfigureAwait(false))
        {
            await FacadeAsync(disk, buffer, reads, first, count, write: false);
            await FacadeAsync(disk, buffer, writes, first, count, write: true);
            await disk.FlushAsync();
        }
    }

    private static long OffsetOf(int k) => (long)((ulong)k * Step % ImageSize);

    private static void Direct(VirtualDisk disk, byte[] buffer, long[] latency, int first, int count, bool write)
    {
        for (int k = first; k < first + count; k++)
        {
            long offset = OffsetOf(k);
            long t0 = Stopwatch.GetTimestamp();
            if (write) disk.Write(offset, buffer);
            else disk.Read(offset, buffer);
            latency[k] = Stopwatch.GetTimestamp() - t0;
        }
    }

    private static async Task FacadeAsync(IDisk disk, byte[] buffer, long[] latency, int first, int count, bool write)
    {
        for (int k = first; k < first + count; k++)
        {
            long offset = OffsetOf(k);
            long t0 = Stopwatch.GetTimestamp();
            if (write) await disk.WriteAsync(offset, buffer);
            else await disk.ReadAsync(offset, buffer);
            latency[k] = Stopwatch.GetTimestamp() - t0;
        }
    }
}
