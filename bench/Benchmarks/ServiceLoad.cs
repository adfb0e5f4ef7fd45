using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Win32.SafeHandles;
using Storage.VhdActors;

namespace Storage.Benchmarks;

/// <summary>
/// What a service does with the facade (issue 16, rows 2 and 3), as one JSON line each:
/// `tasks [TASKS] [REQUESTS]`: TASKS tasks of 4 KiB random reads and writes (half each) into an
/// allocated 256 MiB dynamic image through <see cref="IDisk"/>, and the same harness on a plain
/// file with <see cref="RandomAccess"/>, alternating, three rounds, medians; both files end with the
/// same bytes (checked). `images [IMAGES] [REQUESTS]`: one writer on one image, then IMAGES images
/// with one writer each, 4 KiB random writes into allocated space; the aggregate rate and the single one.
/// </summary>
public static class ServiceLoad
{
    private const int Size = 4096;
    private const long ImageBytes = 256L << 20;

    /// <summary>Runs `tasks` or `images`.</summary>
    public static int Run(string[] args)
    {
        int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], CultureInfo.InvariantCulture) : fallback;
        return args[0] switch
        {
            "tasks" => Report(Task.Run(() => TasksAsync(Arg(1, 8), Arg(2, 200_000))).GetAwaiter().GetResult()),
            "images" => Report(Task.Run(() => ImagesAsync(Arg(1, 64), Arg(2, 20_000))).GetAwaiter().GetResult()),
            _ => throw new ArgumentException($"unknown service load '{args[0]}' (tasks, images)"),
        };
    }

    private static int Report(string json)
    {
        Console.WriteLine(json);
        return 0;
    }

    private static async Task<string> TasksAsync(int tasks, int requests)
    {
        using var images = new BenchImages();
        string vhd = images.Allocated("tasks.vhd", ImageBytes);
        string raw = images["tasks.raw"];
        await using (var disk0 = await OpenStoreDiskAsync(vhd))
        {
            // The plain file starts as the image's bytes, so that both end equal after the same requests.
            var all = new byte[ImageBytes];
            await disk0.Disk.ReadAsync(0, all);
            using var h = File.OpenHandle(raw, FileMode.Create, FileAccess.Write);
            RandomAccess.Write(h, all, 0);
            RandomAccess.FlushToDisk(h); // written back before the first round, as the image is
        }
        var facade = new List<double>();
        var plain = new List<double>();
        for (int round = 0; round < 3; round++)
        {
            // Alternate which goes first; each ends with a flush (untimed), so the next starts on clean pages.
            if (round % 2 == 0) plain.Add(await PlainAsync(raw, tasks, requests, round));
            await using (var d = await OpenStoreDiskAsync(vhd))
            {
                facade.Add(await RateAsync(tasks, requests, round, (o, b) => d.Disk.ReadAsync(o, b), (o, b) => d.Disk.WriteAsync(o, b)));
                await d.Disk.FlushAsync();
            }
            if (round % 2 == 1) plain.Add(await PlainAsync(raw, tasks, requests, round));
        }
        await using (var check = await OpenStoreDiskAsync(vhd))
            await AssertSameAsync(check.Disk, raw);
        double f = Stats.Median([.. facade]), p = Stats.Median([.. plain]);
        return string.Create(CultureInfo.InvariantCulture,
            $"{{\"tasks\":{tasks},\"requests\":{requests},\"facadePerSecond\":{f:F0},\"plainPerSecond\":{p:F0},\"ratio\":{f / p:F3}}}");
    }

    private static async Task<double> PlainAsync(string raw, int tasks, int requests, int round)
    {
        using SafeFileHandle h = File.OpenHandle(raw, FileMode.Open, FileAccess.ReadWrite);
        double rate = await RateAsync(tasks, requests, round,
            (o, b) => Task.FromResult(RandomAccess.Read(h, b.Span, o)),
            (o, b) => { RandomAccess.Write(h, b.Span, o); return Task.CompletedTask; });
        RandomAccess.FlushToDisk(h);
        return rate;
    }

    /// <summary>
    /// TASKS workers; worker t does requests t, t+TASKS, ...: request k is a read or a write (by k's
    /// hash) at a slot only worker t touches, so the bytes at the end do not depend on timing.
    /// </summary>
    private static async Task<double> RateAsync(int tasks, int requests, int round,
        Func<long, Memory<byte>, Task<int>> read, Func<long, ReadOnlyMemory<byte>, Task> write)
    {
        long slots = ImageBytes / Size / tasks;
        var workers = new Task[tasks];
        long start = Stopwatch.GetTimestamp();
        for (int t = 0; t < tasks; t++)
        {
            int worker = t;
            workers[t] = Task.Run(async () =>
            {
                var buffer = new byte[Size];
                for (long k = worker; k < requests; k += tasks)
                {
                    ulong h = Mix((ulong)(k + round * (long)requests));
                    long offset = ((long)(h % (ulong)slots) * tasks + worker) * Size;
                    if ((h >> 63) == 0) await read(offset, buffer);
                    else
                    {
                        buffer.AsSpan().Fill((byte)(h >> 8));
                        await write(offset, buffer);
                    }
                }
            });
        }
        await Task.WhenAll(workers);
        return requests / Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    private static async Task<string> ImagesAsync(int count, int requests)
    {
        using var images = new BenchImages();
        var paths = new string[count];
        string template = images.Allocated("template.vhd", 64L << 20);
        for (int i = 0; i < count; i++) File.Copy(template, paths[i] = images[$"img{i}.vhd"]);
        await using var services = FacadeOverhead.StoreServices();
        var store = services.GetRequiredService<IDiskStore>();
        var disks = new IDisk[count];
        for (int i = 0; i < count; i++) disks[i] = await store.OpenAsync(paths[i], FileAccess.ReadWrite);
        try
        {
            await WriterAsync(disks[0], requests / 4, 99);              // warm-up: JIT, pages
            var single = new List<double>();
            var aggregate = new List<double>();
            for (int round = 0; round < 3; round++)
            {
                long t0 = Stopwatch.GetTimestamp();
                await WriterAsync(disks[round % count], requests, round);
                single.Add(requests / Stopwatch.GetElapsedTime(t0).TotalSeconds);
                t0 = Stopwatch.GetTimestamp();
                await Task.WhenAll(disks.Select((d, i) => Task.Run(() => WriterAsync(d, requests, round * count + i))));
                aggregate.Add((double)requests * count / Stopwatch.GetElapsedTime(t0).TotalSeconds);
            }
            int cores = Math.Min(Environment.ProcessorCount, count);
            double one = Stats.Median([.. single]), all = Stats.Median([.. aggregate]);
            return string.Create(CultureInfo.InvariantCulture,
                $"{{\"images\":{count},\"requests\":{requests},\"singlePerSecond\":{one:F0},\"aggregatePerSecond\":{all:F0},\"cores\":{cores},\"ratio\":{all / (one * cores):F3}}}");
        }
        finally
        {
            foreach (var d in disks) await d.DisposeAsync();
        }
    }

    private static async Task WriterAsync(IDisk disk, int requests, int seed)
    {
        var buffer = new byte[Size];
        buffer.AsSpan().Fill((byte)seed);
        long slots = disk.Length / Size;
        for (int k = 0; k < requests; k++)
            await disk.WriteAsync((long)(Mix((ulong)(seed * 1_000_003L + k)) % (ulong)slots) * Size, buffer);
        await disk.FlushAsync();
    }

    private static async Task AssertSameAsync(IDisk disk, string raw)
    {
        var a = new byte[ImageBytes];
        await disk.ReadAsync(0, a);
        byte[] b = await File.ReadAllBytesAsync(raw);
        if (!a.AsSpan().SequenceEqual(b))
            throw new InvalidOperationException("the image and the plain file differ after the same requests");
    }

    private static async Task<StoreDisk> OpenStoreDiskAsync(string path)
    {
        var services = FacadeOverhead.StoreServices();
        var disk = await services.GetRequiredService<IDiskStore>().OpenAsync(path, FileAccess.ReadWrite);
        return new StoreDisk(services, disk);
    }

    private static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    /// <summary>A disk and the store services that own it, disposed together.</summary>
    private sealed record StoreDisk(ServiceProvider Services, IDisk Disk) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Disk.DisposeAsync();
            await Services.DisposeAsync();
        }
    }
}
