using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Storage.VhdActors;
using Storage.VhdEngine.Disks;

namespace Storage.Benchmarks;

/// <summary>
/// Resident memory under the issue 16 memory rows, as one JSON line each (RSS from /proc/self/status):
/// `open IMAGES SIZE_GIB`: IMAGES empty dynamic images of SIZE_GIB (2 MiB blocks) opened through
/// the store, RSS before and after. `diff SIZE_GIB [full]`: a differencing child of SIZE_GIB over an
/// empty dynamic parent with one sector written in every block (every block allocated, so every
/// bitmap is needed), reopened and read front to back (the first 64 KiB of each block; `full`:
/// every byte, 4 MiB at a time), peak RSS against the RSS before the read.
/// </summary>
public static class MemoryLoad
{
    private const long GiB = 1L << 30;

    /// <summary>Runs `open` or `diff`.</summary>
    public static int Run(string[] args)
    {
        long Arg(int i, long fallback) => args.Length > i ? long.Parse(args[i], CultureInfo.InvariantCulture) : fallback;
        string json = args[0] switch
        {
            "open" => Task.Run(() => OpenManyAsync((int)Arg(1, 1000), Arg(2, 64))).GetAwaiter().GetResult(),
            "diff" => DiffRead(Arg(1, 2040), args.Length > 2 && args[2] == "full"),
            _ => throw new ArgumentException($"unknown memory load '{args[0]}' (open, diff)"),
        };
        Console.WriteLine(json);
        return 0;
    }

    private static async Task<string> OpenManyAsync(int count, long sizeGiB)
    {
        using var images = new BenchImages();
        var paths = new string[count];
        for (int i = 0; i < count; i++)
        {
            paths[i] = images[$"m{i}.vhd"];
            using var d = VirtualDisk.Create(BenchImages.Fs, paths[i], new VhdCreateOptions { Size = sizeGiB * GiB, BlockSize = 2 << 20 });
        }
        await using var services = FacadeOverhead.StoreServices();
        var store = services.GetRequiredService<IDiskStore>();
        await using (await store.OpenAsync(paths[0], FileAccess.ReadWrite)) { } // the store and its actors started
        long before = Rss("VmRSS");
        var disks = new IDisk[count];
        for (int i = 0; i < count; i++)
        {
            disks[i] = await store.OpenAsync(paths[i], FileAccess.ReadWrite);
            await disks[i].ReadAsync((long)i * 4096 % disks[i].Length, new byte[4096]);
        }
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long after = Rss("VmRSS");
        foreach (var d in disks) await d.DisposeAsync();
        return string.Create(CultureInfo.InvariantCulture,
            $"{{\"images\":{count},\"sizeGiB\":{sizeGiB},\"rssBeforeMiB\":{before >> 10},\"rssAfterMiB\":{after >> 10},\"perImageKiB\":{(after - before) / (double)count:F1}}}");
    }

    private static string DiffRead(long sizeGiB, bool full)
    {
        using var images = new BenchImages();
        string parent = images["parent.vhd"], child = images["child.vhd"];
        const int block = 2 << 20;
        using (VirtualDisk.Create(BenchImages.Fs, parent, new VhdCreateOptions { Size = sizeGiB * GiB, BlockSize = block })) { }
        var sector = new byte[512];
        sector.AsSpan().Fill(0x5A);
        long blocks;
        using (var c = VirtualDisk.CreateDifferencing(BenchImages.Fs, child, parent))
        {
            blocks = c.Length / block;
            for (long b = 0; b < blocks; b++) c.Write(b * block + b % 4096 * 512, sector);
            c.Flush();
        }
        GC.Collect();
        long before = Rss("VmRSS");
        var sw = Stopwatch.StartNew();
        using (var r = VirtualDisk.Open(BenchImages.Fs, child))
        {
            var buffer = new byte[full ? 4 << 20 : 64 << 10];
            for (long offset = 0; offset < r.Length; offset += full ? buffer.Length : block)
            {
                var span = buffer.AsSpan(0, (int)Math.Min(buffer.Length, r.Length - offset));
                r.Read(offset, span);
                long b = offset / block;
                if (offset % block == 0 && b < blocks && b % 4096 < 128 && span[(int)(b % 4096 * 512)] != 0x5A)
                    throw new InvalidOperationException($"block {b}: the sector written is not read back");
            }
        }
        double seconds = sw.Elapsed.TotalSeconds;
        long peak = Rss("VmHWM");
        return string.Create(CultureInfo.InvariantCulture,
            $"{{\"sizeGiB\":{sizeGiB},\"blocks\":{blocks},\"full\":{(full ? "true" : "false")},\"readSeconds\":{seconds:F1},\"rssBeforeMiB\":{before >> 10},\"peakRssMiB\":{peak >> 10},\"growthMiB\":{(peak - before) >> 10}}}");
    }

    /// <summary>A /proc/self/status field in KiB (VmRSS: now; VmHWM: the peak).</summary>
    private static long Rss(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return long.Parse(line.AsSpan(field.Length + 1).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
        throw new InvalidOperationException($"/proc/self/status has no {field}");
    }
}
