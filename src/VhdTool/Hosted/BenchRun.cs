using System.Buffers;
using System.Diagnostics;
using HdrHistogram;
using Storage.VhdActors;

namespace Storage.VhdTool.Hosted;

/// <summary>
/// One `vhd bench` run: DEPTH workers take request numbers from a shared counter; with a flush
/// interval the requests go in rounds of that many, each round drained and then flushed (what
/// `qemu-img bench --flush-interval` does without --no-drain). Nothing is allocated per request:
/// one pooled buffer and one HdrHistogram per worker (fixed size, 3 significant digits, up to an
/// hour), merged at the end, so memory does not grow with COUNT.
/// </summary>
internal sealed class BenchRun
{
    private const int ProgressEvery = 1024;
    private static readonly long MaxTicks = Stopwatch.Frequency * 3600;

    private readonly IDisk _disk;
    private readonly BenchSettings _s;
    private readonly CancellationToken _ct;
    private readonly IProgress<long>? _progress;
    private readonly LongHistogram[] _latency;
    private readonly byte[][] _buffers;
    private readonly long _length;
    private long _next;
    private long _end;
    private long _done;

    public BenchRun(IDisk disk, BenchSettings settings, IProgress<long>? progress, CancellationToken ct)
    {
        _disk = disk;
        _s = settings;
        _ct = ct;
        _progress = progress;
        _length = disk.Length;
        int workers = (int)Math.Min(settings.Depth, settings.Count);
        _buffers = new byte[workers][];
        _latency = new LongHistogram[workers];
        for (int i = 0; i < workers; i++)
        {
            _buffers[i] = ArrayPool<byte>.Shared.Rent(settings.Size);
            _buffers[i].AsSpan(0, settings.Size).Fill(settings.Pattern);
            _latency[i] = new LongHistogram(MaxTicks, 3);
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
            for (int i = 0; i < workers.Length; i++) workers[i] = WorkerAsync(_buffers[i], _latency[i]);
            await Task.WhenAll(workers).ConfigureAwait(false);
            if (_s.Write) await _disk.FlushAsync(_ct).ConfigureAwait(false);
        }
        long elapsed = Stopwatch.GetTimestamp() - start;
        var all = new LongHistogram(MaxTicks, 3);
        foreach (var h in _latency) all.Add(h);
        return new BenchResult(_s.Count, (double)elapsed / Stopwatch.Frequency,
            Micros(all.GetValueAtPercentile(50)), Micros(all.GetValueAtPercentile(90)), Micros(all.GetValueAtPercentile(99)), Micros(all.GetMaxValue()));
    }

    public void ReturnBuffers()
    {
        foreach (var b in _buffers) ArrayPool<byte>.Shared.Return(b);
    }

    private async Task WorkerAsync(byte[] buffer, LongHistogram latency)
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
            latency.RecordValue(Math.Min(Stopwatch.GetTimestamp() - t0, MaxTicks));
            long done = Interlocked.Increment(ref _done);
            if (done % ProgressEvery == 0) _progress?.Report(done);
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

    private static double Micros(long ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency;
}
