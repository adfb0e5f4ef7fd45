using Storage.VhdEngine;
using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Storage.VhdActors;

namespace Storage.VhdTool;

/// <summary>
/// `vhd bench`: the options and meaning of `qemu-img bench`, driven through the
/// <see cref="IDiskStore"/> facade an application uses (its own ActorSystem, via
/// <see cref="VhdStorageHostingExtensions.AddVhdStorage"/>). COUNT requests of SIZE bytes, the
/// first at OFFSET, each next one STEP bytes further, wrapping at the end of the disk; DEPTH of
/// them in flight. Prints requests/s and latency percentiles. With -w the writes are flushed at
/// the end (and every N requests with --flush-interval, after the requests before it completed)
/// and the time includes the flushes. The loop allocates nothing per request: one pooled buffer
/// per in-flight slot, latencies in one preallocated array.
/// </summary>
internal sealed class BenchCommand : ICommand
{
    /// <summary>Sizes and counts a bench refuses: beyond these it is a mistake, not a benchmark.</summary>
    private const int MaxSize = 64 << 20;
    private const int MaxDepth = 4096;
    private const long MaxCount = 100_000_000;

    public string Name => "bench";
    public string Summary => "measure requests/s and latency through the actor facade (like qemu-img bench)";
    public string Usage => "vhd bench IMAGE [-c COUNT] [-d DEPTH] [-s SIZE] [-S STEP] [-o OFFSET] [-w] [--flush-interval N] [--random] [--seed N] [--pattern BYTE] [--json]";
    public IReadOnlyCollection<string> ValueOptions { get; } = ["-c", "-d", "-s", "-S", "-o", "--flush-interval", "--seed", "--pattern"];
    public IReadOnlyCollection<string> Flags { get; } = ["-w", "--random", "--json"];

    public int Run(CommandLine args, ToolEnvironment env)
    {
        string image = args.Positional(0, "IMAGE");
        args.NoMorePositionals(1);
        var settings = new BenchSettings
        {
            Count = Bounded(args, "-c", 75_000, 1, MaxCount),
            Depth = (int)Bounded(args, "-d", 64, 1, MaxDepth),
            Size = (int)Bounded(args, "-s", 4096, 1, MaxSize),
            Offset = args.Size("-o") ?? 0,
            Write = args.Flag("-w"),
            FlushInterval = Bounded(args, "--flush-interval", 0, 0, MaxCount),
            Random = args.Flag("--random"),
            Seed = args.Value("--seed") is { } seed ? ulong.Parse(seed, NumberStyles.None, CultureInfo.InvariantCulture) : 1,
            Pattern = (byte)Bounded(args, "--pattern", 0, 0, 255),
        };
        settings.Step = args.Size("-S") ?? settings.Size;
        if (settings.FlushInterval > 0 && !settings.Write) throw args.Error("--flush-interval applies to writes (-w) only");
        if (settings.Random && (args.Value("-S") is not null || args.Value("-o") is not null))
            throw args.Error("--random picks its own offsets: -S and -o do not apply");

        var options = new VhdStorageOptions
        {
            FileSystem = env.FileSystem,
            IdleTimeout = null,
            MaxInFlightPerImage = Math.Max(32, settings.Depth),
            ActorSystemName = "vhd-bench",
            // Quiet: Akka's own logger writes to stdout, where --json goes.
            AkkaConfig = "akka { loglevel = OFF, stdout-loglevel = OFF, log-dead-letters = off, log-dead-letters-during-shutdown = off, actor.provider = local, coordinated-shutdown.run-by-clr-shutdown-hook = off }",
        };
        var result = Task.Run(() => RunAsync(image, settings, options, env)).GetAwaiter().GetResult();
        if (args.Flag("--json")) WriteJson(result, env.Out);
        else WriteText(settings, result, env.Out);
        return 0;
    }

    private static long Bounded(CommandLine args, string option, long fallback, long min, long max)
    {
        long value = args.Value(option) is { } text ? SizeParser.Parse(text, option, args.Usage) : fallback;
        if (value < min || value > max) throw args.Error($"bad value for {option}: {value} (expected {min} to {max})");
        return value;
    }

    private static async Task<BenchResult> RunAsync(string image, BenchSettings settings, VhdStorageOptions options, ToolEnvironment env)
    {
        var services = new ServiceCollection().AddVhdStorage(options);
        await using var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<IDiskStore>();
        IDisk disk;
        try
        {
            disk = await store.OpenAsync(image, settings.Write ? FileAccess.ReadWrite : FileAccess.Read, env.Cancellation).ConfigureAwait(false);
        }
        catch (VhdFormatException e)
        {
            throw ImageFiles.WithPath(image, e);
        }
        await using (disk.ConfigureAwait(false))
        {
            settings.Validate(image, disk.Length);
            var run = new BenchRun(disk, settings, env.Cancellation);
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

    private static void WriteJson(BenchResult r, TextWriter output)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("requests", r.Requests);
            w.WriteNumber("seconds", Math.Round(r.Seconds, 6));
            w.WriteNumber("requestsPerSecond", Math.Round(r.RequestsPerSecond, 1));
            w.WriteNumber("p50Us", Math.Round(r.P50Us, 2));
            w.WriteNumber("p90Us", Math.Round(r.P90Us, 2));
            w.WriteNumber("p99Us", Math.Round(r.P99Us, 2));
            w.WriteNumber("maxUs", Math.Round(r.MaxUs, 2));
            w.WriteEndObject();
        }
        output.WriteLine(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }

    /// <summary>What to run; validated against the disk once it is open.</summary>
    private sealed class BenchSettings
    {
        public long Count { get; init; }
        public int Depth { get; init; }
        public int Size { get; init; }
        public long Step { get; set; }
        public long Offset { get; init; }
        public bool Write { get; init; }
        public long FlushInterval { get; init; }
        public bool Random { get; init; }
        public ulong Seed { get; init; }
        public byte Pattern { get; init; }

        public void Validate(string image, long length)
        {
            if (Size > length)
                throw new VhdException($"{image}: request size {Size} is larger than the disk (virtual size {length})");
            if (Offset >= length)
                throw new VhdException($"{image}: offset {Offset} is past the end of the disk (virtual size {length})");
        }
    }

    /// <summary>Throughput and latency of one run.</summary>
    private sealed record BenchResult(long Requests, double Seconds, double P50Us, double P90Us, double P99Us, double MaxUs)
    {
        public double RequestsPerSecond => Requests / Seconds;
    }

    /// <summary>
    /// One run: DEPTH workers take request numbers from a shared counter; with a flush interval
    /// the requests go in rounds of that many, each round drained and then flushed (what
    /// `qemu-img bench --flush-interval` does without --no-drain).
    /// </summary>
    private sealed class BenchRun
    {
        private readonly IDisk _disk;
        private readonly BenchSettings _s;
        private readonly CancellationToken _ct;
        private readonly long[] _latency;
        private readonly byte[][] _buffers;
        private readonly long _length;
        private long _next;
        private long _end;

        public BenchRun(IDisk disk, BenchSettings settings, CancellationToken ct)
        {
            _disk = disk;
            _s = settings;
            _ct = ct;
            _length = disk.Length;
            _latency = new long[settings.Count];
            int workers = (int)Math.Min(settings.Depth, settings.Count);
            _buffers = new byte[workers][];
            for (int i = 0; i < workers; i++)
            {
                _buffers[i] = ArrayPool<byte>.Shared.Rent(settings.Size);
                _buffers[i].AsSpan(0, settings.Size).Fill(settings.Pattern);
            }
        }

        public async Task<BenchResult> ExecuteAsync()
        {
            var workers = new Task[_buffers.Length];
            long round = _s.FlushInterval > 0 ? _s.FlushInterval : _s.Count;
            long start = Stopwatch.GetTimestamp();
            for (long first = 0; first < _s.Count; first += round)
            {
                _next = first;
                _end = Math.Min(_s.Count, first + round);
                for (int i = 0; i < workers.Length; i++) workers[i] = WorkerAsync(_buffers[i]);
                await Task.WhenAll(workers).ConfigureAwait(false);
                if (_s.Write) await _disk.FlushAsync(_ct).ConfigureAwait(false);
            }
            long elapsed = Stopwatch.GetTimestamp() - start;
            Array.Sort(_latency);
            return new BenchResult(_s.Count, (double)elapsed / Stopwatch.Frequency,
                Micros(Percentile(0.50)), Micros(Percentile(0.90)), Micros(Percentile(0.99)), Micros(_latency[^1]));
        }

        public void ReturnBuffers()
        {
            foreach (var b in _buffers) ArrayPool<byte>.Shared.Return(b);
        }

        private async Task WorkerAsync(byte[] buffer)
        {
            // Start on the thread pool, so that DEPTH workers really run side by side.
            await Task.Yield();
            var memory = buffer.AsMemory(0, _s.Size);
            while (true)
            {
                long k = Interlocked.Increment(ref _next) - 1;
                if (k >= _end) return;
                long offset = OffsetOf(k);
                long t0 = Stopwatch.GetTimestamp();
                if (_s.Write) await _disk.WriteAsync(offset, memory, _ct).ConfigureAwait(false);
                else await _disk.ReadAsync(offset, memory, _ct).ConfigureAwait(false);
                _latency[k] = Stopwatch.GetTimestamp() - t0;
            }
        }

        /// <summary>
        /// Request k's offset: OFFSET + k*STEP modulo the disk size, as qemu-img bench advances
        /// it; a request that would run past the end starts at 0 instead. --random: a
        /// SIZE-aligned offset drawn from request k's own SplitMix64 value (the same for any DEPTH).
        /// </summary>
        private long OffsetOf(long k)
        {
            long offset;
            if (_s.Random)
            {
                ulong slots = (ulong)(_length / _s.Size);
                offset = (long)(SplitMix64(_s.Seed + (ulong)k) % slots) * _s.Size;
            }
            else
            {
                offset = (long)(((UInt128)(ulong)_s.Offset + (UInt128)(ulong)k * (ulong)_s.Step) % (ulong)_length);
            }
            return offset > _length - _s.Size ? 0 : offset;
        }

        private static ulong SplitMix64(ulong x)
        {
            x += 0x9E3779B97F4A7C15UL;
            x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
            x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
            return x ^ (x >> 31);
        }

        private long Percentile(double p) => _latency[(int)Math.Min(_latency.Length - 1, Math.Ceiling(p * _latency.Length) - 1)];

        private static double Micros(long ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency;
    }
}
