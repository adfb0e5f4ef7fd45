using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Storage.VhdActors;
using Storage.VhdEngine;
using Storage.VhdTool.Json;
using Storage.VhdEngine.Disks;

namespace Storage.VhdTool.Hosted;

/// <summary>
/// `vhd bench`: the options and meaning of `qemu-img bench`, driven through the
/// <see cref="IDiskStore"/> facade an application uses (its own ActorSystem, via
/// <see cref="VhdStorageHostingExtensions.AddVhdStorage(Microsoft.Extensions.DependencyInjection.IServiceCollection, VhdStorageOptions?)"/>). COUNT requests of SIZE bytes, the
/// first at OFFSET, each next one STEP bytes further, wrapping at the end of the disk; DEPTH of
/// them in flight. Prints requests/s and latency percentiles (<see cref="BenchRun"/>). With -w the
/// writes are flushed at the end (and every N requests with --flush-interval, after the requests
/// before it completed) and the time includes the flushes.
/// </summary>
internal static class BenchCommand
{
    /// <summary>Sizes and counts a bench refuses: beyond these it is a mistake, not a benchmark.</summary>
    private const int MaxSize = 64 << 20;
    private const int MaxDepth = 4096;
    private const long MaxCount = 100_000_000;

    public static Command Create(ToolContext tool)
    {
        var image = ToolOptions.Path("IMAGE", "the image to measure");
        var count = ToolOptions.Bounded("-c", "number of requests", 75_000, 1, MaxCount, "--count");
        var depth = ToolOptions.Bounded("-d", "requests in flight", 64, 1, MaxDepth, "--depth");
        var size = ToolOptions.Bounded("-s", "bytes per request", 4096, 1, MaxSize, "--size");
        var step = ToolOptions.Size("-S", "bytes between request offsets (default SIZE)", "STEP");
        var offset = ToolOptions.Size("-o", "offset of the first request", "OFFSET");
        var write = new Option<bool>("-w", "--write") { Description = "write instead of read" };
        var flushInterval = ToolOptions.Bounded("--flush-interval", "flush every N requests (writes)", 0, 0, MaxCount);
        var random = new Option<bool>("--random") { Description = "random SIZE-aligned offsets" };
        var seed = new Option<ulong>("--seed") { Description = "seed of --random", DefaultValueFactory = _ => 1 };
        var pattern = ToolOptions.Bounded("--pattern", "byte value written", 0, 0, 255);
        var json = ToolOptions.Json();
        var ignore = ToolOptions.IgnoreChecksums();
        var command = new Command("bench", HostedSummaries.Bench)
        {
            image, count, depth, size, step, offset, write, flushInterval, random, seed, pattern, json, ignore,
        };
        command.SetAction(parse =>
        {
            var settings = new BenchSettings
            {
                Count = parse.GetValue(count),
                Depth = (int)parse.GetValue(depth),
                Size = (int)parse.GetValue(size),
                Step = parse.GetValue(step) ?? parse.GetValue(size),
                Offset = parse.GetValue(offset) ?? 0,
                Write = parse.GetValue(write),
                FlushInterval = parse.GetValue(flushInterval),
                Random = parse.GetValue(random),
                Seed = parse.GetValue(seed),
                Pattern = (byte)parse.GetValue(pattern),
            };
            bool placed = parse.GetValue(step) is not null || parse.GetValue(offset) is not null;
            return Execute(tool, tool.ShowProgress(parse), parse.GetValue(image)!, settings, placed, parse.GetValue(ignore), parse.GetValue(json));
        });
        return command;
    }

    /// <summary>
    /// Checks the settings against each other, runs the bench and prints its result.
    /// <paramref name="placed"/>: -S or -o was given.
    /// </summary>
    private static int Execute(ToolContext tool, bool showProgress, string image, BenchSettings settings, bool placed, bool ignoreChecksums, bool json)
    {
        if (settings.FlushInterval > 0 && !settings.Write) throw new UsageException("--flush-interval applies to writes (-w) only");
        if (settings.Random && placed) throw new UsageException("--random picks its own offsets: -S and -o do not apply");
        var open = ToolOptions.OpenOptions(ignoreChecksums && !settings.Write);
        var result = ToolProgress.Run(tool.Env, showProgress, "bench", settings.Count,
            progress => Task.Run(() => RunAsync(image, settings, open, progress, tool.Env)).GetAwaiter().GetResult());
        if (json) tool.Env.Out.WriteLine(JsonSerializer.Serialize(ToJson(result), ToolJsonContext.Default.BenchJson));
        else WriteText(settings, result, tool.Env.Out);
        return 0;
    }

    private static async Task<BenchResult> RunAsync(string image, BenchSettings settings, VhdOpenOptions? open, IProgress<long>? progress, ToolEnvironment env)
    {
        var options = new VhdStorageOptions
        {
            FileSystem = env.FileSystem,
            OpenOptions = open,
            IdleTimeout = null,
            MaxInFlightPerImage = Math.Max(32, settings.Depth),
            ActorSystemName = "vhd-bench",
            // Quiet: Akka's own logger writes to stdout, where --json goes.
            AkkaConfig = "akka { loglevel = OFF, stdout-loglevel = OFF, log-dead-letters = off, log-dead-letters-during-shutdown = off, actor.provider = local, coordinated-shutdown.run-by-clr-shutdown-hook = off }",
        };
        var services = new ServiceCollection().AddVhdStorage(options);
        await using var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<IDiskStore>();
        IDisk disk = await OpenAsync(store, image, settings.Write ? FileAccess.ReadWrite : FileAccess.Read, env.Cancellation).ConfigureAwait(false);
        await using (disk.ConfigureAwait(false))
        {
            settings.Validate(image, disk.Length);
            var run = new BenchRun(disk, settings, progress, env.Cancellation);
            try
            {
                return await run.ExecuteAsync().ConfigureAwait(false);
            }
            finally
            {
                run.ReturnBuffers();
            }
        }
    }

    /// <summary>Opens <paramref name="path"/> through the store; a checksum refusal of a read gets the hint, as <see cref="ImageFiles.Open"/> gives it.</summary>
    private static async Task<IDisk> OpenAsync(IDiskStore store, string path, FileAccess access, CancellationToken cancellationToken)
    {
        try
        {
            return await store.OpenAsync(path, access, cancellationToken).ConfigureAwait(false);
        }
        catch (VhdFormatException e) when (access == FileAccess.Read && ImageFiles.IsChecksum(e))
        {
            throw ImageFiles.WithChecksumHint(e);
        }
    }

    private static void WriteText(BenchSettings s, BenchResult r, TextWriter o)
    {
        string where = s.Random
            ? $"random {s.Size}-byte aligned offsets, seed {s.Seed}"
            : $"starting at offset {s.Offset}, step size {s.Step}";
        o.WriteLine($"Sending {s.Count} {(s.Write ? "write" : "read")} requests, {s.Size} bytes each, {s.Depth} in parallel ({where})");
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Run completed in {r.Seconds:0.000} seconds."));
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{r.RequestsPerSecond:0} requests/s; latency p50 {r.P50Us:0.0} us, p90 {r.P90Us:0.0} us, p99 {r.P99Us:0.0} us, max {r.MaxUs:0.0} us"));
    }

    private static BenchJson ToJson(BenchResult r) => new(
        r.Requests, Math.Round(r.Seconds, 6), Math.Round(r.RequestsPerSecond, 1),
        Math.Round(r.P50Us, 2), Math.Round(r.P90Us, 2), Math.Round(r.P99Us, 2), Math.Round(r.MaxUs, 2));
}
