using System.Diagnostics;

namespace Storage.Benchmarks;

/// <summary>Median and p99 of a set of Stopwatch tick counts, in microseconds.</summary>
/// <param name="P50Us">Median.</param>
/// <param name="P99Us">99th percentile.</param>
public readonly record struct Stats(double P50Us, double P99Us)
{
    /// <summary>Sorts <paramref name="ticks"/> in place and takes the percentiles.</summary>
    public static Stats Of(long[] ticks)
    {
        Array.Sort(ticks);
        return new Stats(Micros(ticks[Index(ticks.Length, 0.50)]), Micros(ticks[Index(ticks.Length, 0.99)]));
    }

    /// <summary>
    /// <paramref name="a"/> minus <paramref name="b"/>, percentile by percentile, in each of
    /// <paramref name="rounds"/> equal slices; the median over the slices. Leaves the arrays unsorted.
    /// </summary>
    public static Stats PairedByRound(long[] a, long[] b, int rounds)
    {
        int per = a.Length / rounds;
        var p50 = new double[rounds];
        var p99 = new double[rounds];
        for (int r = 0; r < rounds; r++)
        {
            var sa = Of(a.AsSpan(r * per, per).ToArray());
            var sb = Of(b.AsSpan(r * per, per).ToArray());
            p50[r] = sa.P50Us - sb.P50Us;
            p99[r] = sa.P99Us - sb.P99Us;
        }
        return new Stats(Median(p50), Median(p99));
    }

    /// <summary>The median of <paramref name="v"/>, which it sorts in place.</summary>
    internal static double Median(double[] v)
    {
        Array.Sort(v);
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }

    private static int Index(int n, double p) => Math.Clamp((int)Math.Ceiling(p * n) - 1, 0, n - 1);

    private static double Micros(long ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency;
}
