using System.Globalization;
using Storage.VhdActors;

namespace Storage.CrashTesting.Harness;

/// <summary>
/// The built-in check of a recovered state (<see cref="CrashRecoveryContext.VerifyDurableWritesAsync"/>):
/// images whose creation returned are there and open, images whose removal returned are gone, and every
/// byte a durable write covers reads that write's value or a later write's.
/// </summary>
internal static class ContentCheck
{
    private const int MaxMismatches = 16;

    /// <summary>The most sectors read with one call (128 KiB).</summary>
    private const int MaxRun = 256;

    public static async Task RunAsync(CrashRecoveryContext ctx, Promises promises)
    {
        var problems = new List<string>();
        var mismatches = new List<SectorMismatch>();
        foreach (var (path, existence) in promises.Images.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            bool exists = ctx.FileSystem.File.Exists(path);
            if (existence == Existence.MustNot && exists) problems.Add($"{path} is back after the crash, but its removal had returned");
            if (existence == Existence.Must && !exists) problems.Add($"{path} is missing, but its creation had returned");
            if (exists && existence != Existence.MustNot)
                await CheckImageAsync(ctx, path, promises.Content.GetValueOrDefault(path) ?? [], problems, mismatches).ConfigureAwait(false);
        }

        if (problems.Count > 0) throw new CrashCheckException(string.Join("; ", problems), mismatches);
    }

    private static async Task CheckImageAsync(CrashRecoveryContext ctx, string path, List<PromisedWrite> writes, List<string> problems, List<SectorMismatch> mismatches)
    {
        IDisk disk;
        try
        {
            disk = await ctx.Store.OpenAsync(path, FileAccess.Read, ctx.CancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            problems.Add($"{path} does not open: {e.Message}");
            return;
        }

        await using (disk.ConfigureAwait(false))
        {
            int bad = await CompareAsync(disk, Sectors(writes, disk.Length), mismatches).ConfigureAwait(false);
            if (bad > 0)
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"{path}: {bad} sector(s) do not read what was flushed there (or written after)"));
        }
    }

    /// <summary>The promise of every sector a durable write touches, by sector index.</summary>
    private static SortedDictionary<long, SectorPromise> Sectors(List<PromisedWrite> writes, long length)
    {
        var sectors = new SortedDictionary<long, SectorPromise>();
        foreach (var write in writes)
        {
            long end = Math.Min(length, write.Offset + write.Data.Length);
            for (long at = write.Offset; at < end;)
            {
                long sector = at / SectorPromise.Size;
                int from = (int)(at % SectorPromise.Size);
                int n = (int)Math.Min(SectorPromise.Size - from, end - at);
                if (!sectors.TryGetValue(sector, out var promise)) sectors[sector] = promise = new SectorPromise();
                promise.Add(from, write.Data.AsSpan((int)(at - write.Offset), n).ToArray(), write.Durable);
                at += n;
            }
        }

        foreach (long sector in sectors.Where(p => !p.Value.HasDurable).Select(p => p.Key).ToList()) sectors.Remove(sector);
        return sectors;
    }

    /// <summary>Checks every promised sector, reading each run of consecutive ones with one call (not one a sector).</summary>
    private static async Task<int> CompareAsync(IDisk disk, SortedDictionary<long, SectorPromise> sectors, List<SectorMismatch> mismatches)
    {
        int bad = 0;
        var run = new List<(long Sector, SectorPromise Promise)>(MaxRun);
        var buffer = new byte[MaxRun * SectorPromise.Size];
        foreach (var (sector, promise) in sectors)
        {
            if (run.Count == MaxRun || (run.Count > 0 && sector != run[^1].Sector + 1))
            {
                bad += await CompareRunAsync(disk, run, buffer, mismatches).ConfigureAwait(false);
                run.Clear();
            }

            run.Add((sector, promise));
        }

        if (run.Count > 0) bad += await CompareRunAsync(disk, run, buffer, mismatches).ConfigureAwait(false);
        return bad;
    }

    /// <summary>Reads the consecutive sectors of <paramref name="run"/> (the disk's last one may be partial) and checks each against its promise.</summary>
    private static async Task<int> CompareRunAsync(IDisk disk, List<(long Sector, SectorPromise Promise)> run, byte[] buffer, List<SectorMismatch> mismatches)
    {
        long start = run[0].Sector * SectorPromise.Size;
        int length = (int)Math.Min((long)run.Count * SectorPromise.Size, disk.Length - start);
        int read = await disk.ReadAsync(start, buffer.AsMemory(0, length)).ConfigureAwait(false);
        buffer.AsSpan(read, length - read).Clear();
        int bad = 0;
        foreach (var (sector, promise) in run)
        {
            long offset = sector * SectorPromise.Size;
            int from = (int)(offset - start);
            int n = Math.Min(SectorPromise.Size, length - from);
            var expected = new byte[n];
            if (promise.Check(buffer.AsSpan(from, n), expected)) continue;
            bad++;
            if (mismatches.Count < MaxMismatches)
                mismatches.Add(new SectorMismatch(disk.Path, offset, expected, buffer.AsSpan(from, n).ToArray(), "flushed data"));
        }

        return bad;
    }
}
