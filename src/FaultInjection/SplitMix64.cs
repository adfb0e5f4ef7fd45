namespace Storage.FaultInjection;

/// <summary>
/// A tiny deterministic generator. Our own rather than <see cref="Random"/> so that printed
/// seeds replay identically whatever the runtime does to its generators.
/// </summary>
internal struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    internal static ulong Mix(long a, long b) => new SplitMix64(unchecked((ulong)a * 0x9E3779B97F4A7C15UL ^ (ulong)b)).NextULong();

    internal ulong NextULong()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1).</summary>
    internal double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, bound).</summary>
    internal int Next(int bound) => bound <= 1 ? 0 : (int)(NextULong() % (ulong)bound);
}
