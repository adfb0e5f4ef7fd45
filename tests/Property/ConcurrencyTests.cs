using System.IO.Abstractions.TestingHelpers;
using CsCheck;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;
using Storage.VhdEngine.Maintenance;
using Xunit;

namespace Storage.Tests.Property;

/// <summary>One thread's work: writes inside its own stripes (stripe k of the thread), reads of stable stripes.</summary>
public sealed record ThreadWork((int Stripe, int Start, int Length, int Seed)[] Writes, int Reads);

/// <summary>
/// Parallel use of disks (every operation holds the disk's lock; parents are shared between
/// children): threads write disjoint byte ranges that share blocks and sectors (so they race to
/// allocate the same blocks and merge the same partial sectors) on one dynamic disk, or on two
/// differencing children of one shared parent, while other reads run. Every read of a range no
/// one writes returns its prefix value; afterwards each disk equals the union of the writes, also
/// after a reopen, and check is clean.
/// </summary>
public class ConcurrencyTests
{
    private const int Stripe = 3000;          // not sector aligned: neighbouring stripes share sectors
    private const long Size = 2L << 20;       // 4 blocks of 512 KiB
    private static int Stripes => (int)(Size / Stripe);

    private static Gen<(int, int, int, int)> Writes(int threads) =>
        Gen.Select(Gen.Int[0, Stripes / (threads + 1) - 1], Gen.Int[0, Stripe - 1], Gen.Int[1, Stripe], Gen.Int);

    private static readonly Gen<(bool Differencing, int Threads, ThreadWork[] Work, int PrefixSeed)> Cases =
        Gen.Select(Gen.Bool, Gen.Int[2, 4]).SelectMany((differencing, threads) =>
            Gen.Select(Writes(threads).Array[1, 12], Gen.Int[0, 6], (w, r) => new ThreadWork(w, r)).Array[threads]
                .Select(Gen.Int, (work, prefix) => (differencing, threads, work, prefix)));

    /// <summary>Absolute offset and clipped length of a thread's write.</summary>
    private static (long Offset, int Length) Place(int thread, int threads, (int Stripe, int Start, int Length, int Seed) w) =>
        (((long)w.Stripe * (threads + 1) + thread) * Stripe + w.Start, Math.Min(w.Length, Stripe - w.Start));

    [Fact]
    public void Parallel_disjoint_writes_and_stable_reads_match_the_model()
    {
        Cases.Sample(c => Run(c.Differencing, c.Threads, c.Work, c.PrefixSeed), iter: Soak.Iter(80), threads: 1,
            print: c => $"differencing={c.Differencing} threads={c.Threads} prefix={c.PrefixSeed}\n  " +
                string.Join("\n  ", c.Work.Select((w, t) => $"t{t}: reads={w.Reads} writes={string.Join(" ", w.Writes.Select(x => Place(t, c.Threads, x)))}")));
    }

    private static void Run(bool differencing, int threads, ThreadWork[] work, int prefixSeed)
    {
        var fs = new MockFileSystem();
        fs.Directory.CreateDirectory("/p");
        int diskCount = differencing ? 2 : 1;
        var models = new byte[diskCount][];
        // The prefix: every stable stripe (index % (threads + 1) == threads) gets data first.
        var prefix = new byte[Size];
        new Random(prefixSeed).NextBytes(prefix);
        for (int s = 0; s < Stripes; s++)
            if (s % (threads + 1) != threads) prefix.AsSpan(s * Stripe, Stripe).Clear();
        var disks = new VirtualDisk[diskCount];
        try
        {
            if (differencing)
            {
                using (var p = VirtualDisk.Create(fs, "/p/base.vhd", new VhdCreateOptions { Size = Size, ExactSize = true, BlockSize = 512 * 1024 }))
                {
                    p.Write(0, prefix);
                    p.Flush();
                }
                for (int i = 0; i < diskCount; i++) disks[i] = VirtualDisk.CreateDifferencing(fs, $"/p/child{i}.vhd", "/p/base.vhd");
                Assert.Same(disks[0].Parent, disks[1].Parent);
            }
            else
            {
                disks[0] = VirtualDisk.Create(fs, "/p/d.vhd", new VhdCreateOptions { Size = Size, ExactSize = true, BlockSize = 512 * 1024 });
                disks[0].Write(0, prefix);
            }
            for (int i = 0; i < diskCount; i++) models[i] = (byte[])prefix.Clone();

            var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
            using var start = new Barrier(threads);
            var tasks = work.Select((w, thread) => Task.Factory.StartNew(() =>
            {
                var disk = disks[thread % diskCount];
                var rnd = new Random(thread);
                start.SignalAndWait();
                int reads = w.Reads;
                foreach (var x in w.Writes)
                {
                    var (offset, length) = Place(thread, threads, x);
                    var data = new byte[length];
                    new Random(x.Seed).NextBytes(data);
                    disk.Write(offset, data);
                    if (reads-- > 0)
                    {
                        // A stable stripe: nobody writes it, so it reads its prefix value throughout.
                        long s = ((long)rnd.Next(Stripes / (threads + 1)) * (threads + 1) + threads) * Stripe;
                        int n = rnd.Next(1, Stripe + 1);
                        var back = new byte[n];
                        disk.Read(s, back);
                        if (!back.AsSpan().SequenceEqual(prefix.AsSpan((int)s, n)))
                            errors.Enqueue($"thread {thread}: read at {s}+{n} of a stripe nobody writes changed");
                    }
                }
            }, TaskCreationOptions.LongRunning)).ToArray();
            Task.WaitAll(tasks);
            Assert.Empty(errors);

            for (int thread = 0; thread < threads; thread++)
                foreach (var x in work[thread].Writes)
                {
                    var (offset, length) = Place(thread, threads, x);
                    var data = new byte[length];
                    new Random(x.Seed).NextBytes(data);
                    data.CopyTo(models[thread % diskCount], offset);
                }
            // Writes of one thread to one stripe apply in that thread's order; stripes are disjoint,
            // so the union is the same whatever the interleaving.
            for (int i = 0; i < diskCount; i++)
            {
                disks[i].Flush();
                var back = new byte[Size];
                disks[i].Read(0, back);
                Assert.True(back.AsSpan().SequenceEqual(models[i]), $"disk {i} differs from the union of the writes");
                string path = disks[i].Path;
                disks[i].Dispose();
                using (var re = VirtualDisk.Open(fs, path))
                {
                    re.Read(0, back);
                    Assert.True(back.AsSpan().SequenceEqual(models[i]), $"disk {i} differs after reopen");
                }
                var report = Checker.Check(fs, path);
                Assert.True(report.IsClean, string.Join("; ", report.Errors));
            }
        }
        finally
        {
            foreach (var d in disks) d?.Dispose();
        }
    }
}
