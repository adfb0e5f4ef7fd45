using System.Collections.Concurrent;

namespace Storage.CrashTesting;

/// <summary>Thread-safe sink of failures; keeps the first few hundred, counts all.</summary>
internal sealed class FailureCollector(bool stopAtFirst)
{
    private const int Kept = 500;
    private readonly ConcurrentQueue<CrashFailure> _failures = new();
    private readonly ConcurrentDictionary<string, int> _perWorkload = new(StringComparer.Ordinal);
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public bool ShouldStop => stopAtFirst && Count > 0;

    public void Add(CrashFailure failure)
    {
        _perWorkload.AddOrUpdate(failure.Workload, 1, (_, n) => n + 1);
        if (Interlocked.Increment(ref _count) <= Kept) _failures.Enqueue(failure);
    }

    public List<CrashFailure> Snapshot() =>
        _failures.OrderBy(f => f.Workload, StringComparer.Ordinal)
            .ThenBy(f => f.Replay, StringComparer.Ordinal)
            .ToList();

    public int CountFor(string workload) => _perWorkload.GetValueOrDefault(workload);

    public int CountPrefixed(string prefix) => _perWorkload.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal)).Sum(p => p.Value);
}
