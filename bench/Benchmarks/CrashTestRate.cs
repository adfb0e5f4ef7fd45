using System.Globalization;
using Storage.CrashTesting;
using Storage.VhdEngine.Disks;

namespace Storage.Benchmarks;

/// <summary>
/// `crashtest [ROUNDS]`: states per second of the public crash-testing API (CrashTest.RunAsync) on a
/// small workload (create an image, two allocating writes each flushed, an in-place write left
/// unflushed; about 2,200 states at 8 crash points, each checked with a fresh store and the built-in
/// check), with one thread and with one per processor. One untimed warm-up run, then the median of ROUNDS.
/// </summary>
internal static class CrashTestRate
{
    private static readonly VhdCreateOptions Small = new() { Size = 4 << 20, BlockSize = 512 << 10 };

    public static int Run(string[] args)
    {
        int rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        foreach (int threads in new[] { 1, Environment.ProcessorCount }.Distinct())
        {
            var options = new CrashTestOptions { Name = "rate", Parallelism = threads };
            RunOnce(options);
            var rates = Enumerable.Range(0, rounds).Select(_ => RunOnce(options)).ToList();
            var last = rates[^1];
            rates.Sort((a, b) => a.StatesPerSecond.CompareTo(b.StatesPerSecond));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"crash test API, {threads} thread(s): {last.StatesExplored} states at {last.CrashPoints} crash points, median {rates[rates.Count / 2].StatesPerSecond:0} states/s (min {rates[0].StatesPerSecond:0}, max {rates[^1].StatesPerSecond:0}, {rounds} rounds)"));
        }

        return 0;
    }

    private static CrashTestResult RunOnce(CrashTestOptions options)
    {
        var result = CrashTest.RunAsync(Workload, check => check.VerifyDurableWritesAsync(), options).GetAwaiter().GetResult();
        result.AssertPassed();
        return result;
    }

    private static async Task Workload(CrashTestContext ctx)
    {
        await using var disk = await ctx.Store.CreateAsync(ctx.PathOf("a.vhd"), Small);
        await disk.WriteAsync(0, Bytes(4096, 1));
        await disk.FlushAsync();
        await disk.WriteAsync(3L << 19, Bytes(1024, 2));
        await disk.FlushAsync();
        await disk.WriteAsync(512, Bytes(512, 3));
    }

    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
