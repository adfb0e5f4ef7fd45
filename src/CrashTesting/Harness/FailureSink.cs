namespace Storage.CrashTesting.Harness;

/// <summary>Thread-safe: counts every failing state, keeps the first ones with their details (built only for those kept).</summary>
internal sealed class FailureSink(int keep)
{
    private readonly Lock _gate = new();
    private readonly List<(int Order, string State, CrashTestFailure Failure)> _kept = [];
    private int _count;

    public int Count => Volatile.Read(ref _count);

    /// <summary>Counts a failure; calls <paramref name="details"/> only when it is kept.</summary>
    public void Add(int order, string state, Func<CrashTestFailure> details)
    {
        int n = Interlocked.Increment(ref _count);
        if (n > keep) return;
        var failure = details();
        lock (_gate) _kept.Add((order, state, failure));
    }

    /// <summary>The kept failures in crash point order, then state.</summary>
    public List<CrashTestFailure> Kept()
    {
        lock (_gate)
        {
            return _kept.OrderBy(f => f.Order).ThenBy(f => f.State, StringComparer.Ordinal).Select(f => f.Failure).ToList();
        }
    }
}
