using System.Diagnostics;
using Storage.FaultInjection;
using Xunit;
using Xunit.Abstractions;

namespace Storage.Tests.FaultInjection;

/// <summary>
/// The sizes the crash suites use: a few MiB of image and thousands of pending writes. No timing
/// assertion (shared machines are noisy); the timings are printed, and the suite's runtime budget is the check.
/// </summary>
public sealed class ScaleTests(ITestOutputHelper output)
{
    [Fact]
    public void A_few_MiB_and_thousands_of_writes_enumerate_and_materialize_quickly()
    {
        var random = new Random(5);
        var seed = new byte[4 << 20];
        random.NextBytes(seed);
        SimDisk disk = SimDisk.FromBytes(seed);
        var watch = Stopwatch.StartNew();
        var block = new byte[4096];
        for (int i = 0; i < 3000; i++)
        {
            random.NextBytes(block);
            disk.Write(random.Next(0, (4 << 20) + (1 << 20)) & ~511, block);
        }

        TimeSpan writes = watch.Elapsed;
        IReadOnlyList<CrashState> states = disk.EnumerateCrashStates();
        TimeSpan enumerate = watch.Elapsed - writes;
        var chosen = states.Where((_, i) => i % (states.Count / 40) == 0).Concat(disk.SampleCrashStates(1, 10)).ToList();
        foreach (CrashState state in chosen)
        {
            SimDisk image = disk.Materialize(state)!;
            Assert.InRange(image.Length, 4 << 20, (5 << 20) + 4096);
        }

        TimeSpan materialize = watch.Elapsed - writes - enumerate;

        output.WriteLine($"{states.Count} states; writes {writes.TotalMilliseconds:F0} ms, enumerate {enumerate.TotalMilliseconds:F0} ms, {chosen.Count} materializations {materialize.TotalMilliseconds:F0} ms");
        Assert.True(states.Count > 3000 * 3);
    }
}
