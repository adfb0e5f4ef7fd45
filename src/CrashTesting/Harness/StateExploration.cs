using System.Diagnostics;
using System.IO.Abstractions.TestingHelpers;
using Storage.FaultInjection;

namespace Storage.CrashTesting.Harness;

/// <summary>
/// Verifies the chosen states of every captured crash point, in parallel: each state's files in a fresh
/// name store, a store of its own over them, the user's check; a failure keeps its timeline and sectors.
/// </summary>
internal sealed class StateExploration(CrashTestRun run, IReadOnlyList<FaultOperation> trace)
{
    private long _verified;

    public long Verified => Interlocked.Read(ref _verified);

    public long Skipped { get; private set; }

    public bool Stopped { get; private set; }

    /// <summary>A fresh in-memory name store holding <paramref name="directory"/>.</summary>
    public static MockFileSystem NewInner(string directory)
    {
        var inner = new MockFileSystem();
        inner.Directory.CreateDirectory(directory);
        return inner;
    }

    public async Task ExploreAsync(IReadOnlyList<CapturedPoint> points, CrashState? only, long deadline)
    {
        var work = Plan(points, only);
        var options = run.Options;
        if (options.MaxStates is long max && work.Count > max)
        {
            Skipped += work.Count - max;
            work.RemoveRange((int)max, work.Count - (int)max);
            Stopped = true;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(run.Cancellation);
        if (deadline != long.MaxValue) stop.CancelAfter(TimeSpan.FromSeconds(Math.Max(0, (deadline - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency)));
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Parallelism), CancellationToken = stop.Token };
        try
        {
            await Parallel.ForEachAsync(work, parallel, async (item, _) =>
            {
                await VerifyAsync(item.Point, item.State, item.Promises).ConfigureAwait(false);
                Interlocked.Increment(ref _verified);
                if (options.StopAtFirstFailure && run.Failures.Count > 0) await stop.CancelAsync().ConfigureAwait(false);
            }).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!run.Cancellation.IsCancellationRequested)
        {
            Stopped = true;
        }

        Skipped += work.Count - Verified;
    }

    private List<(CapturedPoint Point, CrashState State, Promises Promises)> Plan(IReadOnlyList<CapturedPoint> points, CrashState? only)
    {
        var work = new List<(CapturedPoint, CrashState, Promises)>();
        foreach (var point in points)
        {
            var promises = Promises.Build(run.Recorder.Before(point.Calls), point.Calls.Seq);
            var (states, skipped) = only is null ? StateChoice.For(point.Point, run.Options) : ([only], 0);
            Skipped += skipped;
            foreach (var state in states) work.Add((point, state, promises));
        }

        return work;
    }

    private async Task VerifyAsync(CapturedPoint point, CrashState state, Promises promises)
    {
        string dir = run.Options.Directory;
        FaultFileSystem crashed;
        try
        {
            crashed = point.Point.CrashedCopy(state, NewInner(dir));
        }
        catch (ArgumentException e)
        {
            Fail(point, state, promises, $"cannot replay this state here: {e.Message}", []);
            return;
        }

        var (store, manager) = run.Stores.Open(crashed);
        try
        {
            await run.Verify(new CrashRecoveryContext(store, crashed, dir, point.Name, state.ToString(), promises, run.Cancellation)).ConfigureAwait(false);
        }
        catch (CrashCheckException e)
        {
            Fail(point, state, promises, e.Message, e.Mismatches);
        }
        catch (Exception e) when (e is not OperationCanceledException || !run.Cancellation.IsCancellationRequested)
        {
            Fail(point, state, promises, $"the check threw {e.GetType().Name}: {e.Message}", []);
        }
        finally
        {
            await run.Stores.StopAsync(manager).ConfigureAwait(false);
        }
    }

    private void Fail(CapturedPoint point, CrashState state, Promises promises, string message, IReadOnlyList<SectorMismatch> mismatches) =>
        run.Failures.Add(point.Order, state.ToString(), () => new CrashTestFailure
        {
            Workload = run.Options.Name,
            CrashPoint = point.Name,
            State = state.ToString(),
            ReplayToken = new CrashReplay { Workload = run.Options.Name, Point = point.Name, State = state.ToString() }.ToString(),
            Message = message,
            Acknowledged = promises.Acknowledged,
            Timeline = TimelineBuilder.Build(trace, point, SafeDescribe(point, state), run.Recorder.Before(point.Calls), run.Options.Directory),
            Mismatches = mismatches,
        });

    private static IReadOnlyList<PendingChange> SafeDescribe(CapturedPoint point, CrashState state)
    {
        try
        {
            return point.Point.Describe(state);
        }
        catch (ArgumentException)
        {
            return [];
        }
    }
}
