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

    private static async Task<int> CompareAsync(IDisk disk, SortedDictionary<long, SectorPromise> sectors, List<SectorMismatch> mismatches)
    {
        int bad = 0;
        var actual = new byte[SectorPromise.Size];
        foreach (var (sector, promise) in sectors)
        {
            long offset = sector * SectorPromise.Size;
            int n = (int)Math.Min(SectorPromise.Size, disk.Length - offset);
            int read = await disk.ReadAsync(offset, actual.AsMemory(0, n)).ConfigureAwait(false);
            actual.AsSpan(read, n - read).Clear();
            var expected = new byte[n];
            if (promise.Check(actual.AsSpan(0, n), expected)) continue;
            bad++;
            if (mismatches.Count < MaxMismatches)
                mismatches.Add(new SectorMismatch(disk.Path, offset, expected, actual.AsSpan(0, n).ToArray(), "flushed data"));
        }

        return bad;
    }
}
