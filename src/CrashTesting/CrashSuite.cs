using System.Diagnostics;
using Storage.CrashTesting.Workloads;

namespace Storage.CrashTesting;

/// <summary>
/// The crash-consistency suite: deterministic workloads run on a simulated disk
/// (<see cref="Storage.FaultInjection.FaultFileSystem"/>), crashed at every fsync and at the end
/// in every state the crash model allows (exhaustive up to 12 pieces, ALICE-style plus sampled
/// above), and swept with I/O errors at every operation; each crashed image is reopened and checked
/// against a per-sector model of what it may read (DESIGN.md §4-§6). Used by the tests and by
/// <c>vhd crashtest</c>.
/// </summary>
public static class CrashSuite
{
    /// <summary>The names of the default workloads, in suite order.</summary>
    public static IReadOnlyList<string> WorkloadNames { get; } = WorkloadCatalog.Default.Select(w => w.Name).ToArray();

    /// <summary>What a workload exercises (null for an unknown name).</summary>
    /// <param name="workload">A workload name.</param>
    /// <returns>One line, or null.</returns>
    public static string? Describe(string workload) => WorkloadCatalog.Find(workload)?.Description;

    /// <summary>Runs the suite.</summary>
    /// <param name="options">What to run; null for the deterministic default run.</param>
    /// <returns>States explored, per workload, and the failures.</returns>
    /// <exception cref="ArgumentException">An unknown workload name.</exception>
    public static CrashSuiteResult Run(CrashSuiteOptions? options = null)
    {
        options ??= new CrashSuiteOptions();
        long start = Stopwatch.GetTimestamp();
        var settings = Settings(options, start);
        var failures = new FailureCollector(options.StopAtFirstFailure);
        var workloads = Select(options);
        var tallies = workloads.ToDictionary(w => w.Name, _ => new ExploreTally(), StringComparer.Ordinal);
        int threads = Math.Max(1, options.Parallelism);

        var (templates, operations) = Prepare(workloads, options, settings, failures, threads);
        var tasks = Plan(templates, operations, tallies, options, settings, failures, threads);
        RunAll(tasks, options, failures, threads);

        var results = workloads.Select(w => Result(w, tallies[w.Name], failures)).ToList();
        if (options.TimeLimit is not null && !failures.ShouldStop)
            results.AddRange(Soak(settings, failures, threads, options.IoErrors));

        return new CrashSuiteResult
        {
            Seed = options.Seed,
            StatesExplored = results.Sum(r => r.StatesExplored),
            Elapsed = Stopwatch.GetElapsedTime(start),
            Workloads = results,
            Failures = failures.Snapshot(),
            FailureCount = failures.Count,
            Stopped = tallies.Values.Any(t => t.TimedOut) || settings.Cancellation.IsCancellationRequested,
            ExtraWorkloads = options.ExtraWorkloads ?? [],
        };
    }

    /// <summary>Builds each workload's template (its set-up and a clean run) and, for the I/O-error sweep, counts its operations.</summary>
    private static (WorkloadTemplate?[] Templates, long[] Operations) Prepare(
        List<CrashWorkload> workloads, CrashSuiteOptions options, RunSettings settings, FailureCollector failures, int threads)
    {
        var templates = new WorkloadTemplate?[workloads.Count];
        var operations = new long[workloads.Count];
        Parallel.For(0, workloads.Count, new ParallelOptions { MaxDegreeOfParallelism = threads }, i =>
        {
            try
            {
                templates[i] = WorkloadTemplate.Build(workloads[i]);
                if (options.IoErrors) operations[i] = new IoErrorSweep(settings, failures).CountOperations(templates[i]!);
            }
            catch (Exception e)
            {
                failures.Add(new CrashFailure(workloads[i].Name, "setup", "-", options.Seed, "-", $"set-up or a clean run failed: {StateVerifier.Describe(e)}\n{e.StackTrace}"));
            }
        });
        return (templates, operations);
    }

    /// <summary>One task per workload, shard and kind: crash-state exploration first (order 0), then the I/O-error sweeps.</summary>
    private static List<(int Order, Action Work)> Plan(
        WorkloadTemplate?[] templates, long[] operations, Dictionary<string, ExploreTally> tallies,
        CrashSuiteOptions options, RunSettings settings, FailureCollector failures, int threads)
    {
        var tasks = new List<(int Order, Action Work)>();
        for (int i = 0; i < templates.Length; i++)
        {
            if (templates[i] is not { } template) continue;
            var tally = tallies[template.Workload.Name];
            for (int shard = 0; shard < threads; shard++)
            {
                int s = shard;
                if (options.CrashStates)
                    tasks.Add((0, () => Merge(tally, new CrashExplorer(settings, failures).Explore(template, s, threads))));
                long count = operations[i];
                if (options.IoErrors && count > 0)
                    tasks.Add((1, () => Merge(tally, new IoErrorSweep(settings, failures).Sweep(template, count, s, threads))));
            }
        }
        return tasks;
    }

    /// <summary>Runs the tasks on <paramref name="threads"/> threads; a harness failure is a failure of the suite, not a crash.</summary>
    private static void RunAll(List<(int Order, Action Work)> tasks, CrashSuiteOptions options, FailureCollector failures, int threads)
    {
        int finished = 0;
        Parallel.ForEach(
            tasks.OrderBy(t => t.Order).Select(t => t.Work),
            new ParallelOptions { MaxDegreeOfParallelism = threads },
            work =>
            {
                try
                {
                    work();
                    options.Progress?.Report((double)Interlocked.Increment(ref finished) / tasks.Count);
                }
                catch (Exception e)
                {
                    failures.Add(new CrashFailure("suite", "-", "-", options.Seed, "-", $"the harness failed: {StateVerifier.Describe(e)}\n{e.StackTrace}"));
                }
            });
    }

    /// <summary>
    /// Reruns exactly one state: the workload named in <paramref name="token"/> (see <see cref="CrashReplay"/>),
    /// up to its crash point, then that crash state only (and, for a repair point, that repair's state).
    /// </summary>
    /// <param name="token">A replay token from a <see cref="CrashFailure"/>.</param>
    /// <param name="seed">The seed of the original run.</param>
    /// <returns>The result of that one state: no failures when it now passes.</returns>
    /// <exception cref="FormatException">Not a replay token.</exception>
    /// <exception cref="ArgumentException">An unknown workload, or a crash point (or recovery crash point) the workload never reaches.</exception>
    public static CrashSuiteResult Replay(string token, int seed = 0) => Replay(token, seed, null);

    internal static CrashSuiteResult Replay(string token, int seed, IReadOnlyList<CrashWorkload>? extra)
    {
        ArgumentNullException.ThrowIfNull(token);
        long start = Stopwatch.GetTimestamp();
        var replay = CrashReplay.Parse(token);
        var workload = WorkloadCatalog.Find(replay.Workload, extra)
            ?? throw new ArgumentException($"unknown workload '{replay.Workload}' in replay token {token} (known: {string.Join(", ", WorkloadNames)}, random-<seed>)", nameof(token));
        var settings = Settings(new CrashSuiteOptions { Seed = seed }, start);
        var failures = new FailureCollector(stopAtFirst: false);
        var template = WorkloadTemplate.Build(workload);
        var tally = replay.Point.StartsWith("io", StringComparison.Ordinal)
            ? ReplayIoError(template, replay, settings, failures)
            : ReplayCrash(template, replay, settings, failures);

        var result = Result(workload, tally, failures);
        return new CrashSuiteResult
        {
            Seed = seed,
            StatesExplored = result.StatesExplored,
            Elapsed = Stopwatch.GetElapsedTime(start),
            Workloads = [result],
            Failures = failures.Snapshot(),
            FailureCount = failures.Count,
            Stopped = false,
            ExtraWorkloads = extra ?? [],
        };
    }

    /// <summary>Replays a state at a flush or end point; a point the run never reaches is an error, not a pass.</summary>
    private static ExploreTally ReplayCrash(WorkloadTemplate template, CrashReplay replay, RunSettings settings, FailureCollector failures)
    {
        var explorer = new CrashExplorer(settings, failures);
        var tally = explorer.Explore(template, 0, 1, replay);
        // A failure (the workload broke before the point, say) already explains a point not reached.
        if (failures.Count > 0) return tally;
        var outer = explorer.PointsReached.Where(p => !p.Contains('@', StringComparison.Ordinal)).ToList();
        if (!outer.Contains(replay.Point))
            throw new ArgumentException($"replay token {replay}: crash point {replay.Point} is never reached; {replay.Workload} has {Points(outer)}", "token");
        if (replay.RepairPoint is not { } nested) return tally;
        string prefix = replay.Point + "@";
        var inner = explorer.PointsReached.Where(p => p.StartsWith(prefix, StringComparison.Ordinal)).Select(p => p[prefix.Length..]).Distinct().ToList();
        if (!inner.Contains(nested))
            throw new ArgumentException($"replay token {replay}: recovery crash point {nested} is never reached after {replay.Point}@{replay.State}; that recovery has {Points(inner)}", "token");
        return tally;
    }

    /// <summary>Replays one I/O error run; an operation index past the workload's count is an error, not a pass.</summary>
    private static ExploreTally ReplayIoError(WorkloadTemplate template, CrashReplay replay, RunSettings settings, FailureCollector failures)
    {
        if (replay.RepairPoint is not null)
            throw new ArgumentException($"replay token {replay}: an I/O error point ({replay.Point}) has no recovery crash points", "token");
        var sweep = new IoErrorSweep(settings, failures);
        long operations = sweep.CountOperations(template);
        var tally = sweep.Sweep(template, operations, 0, 1, replay);
        if (tally.IoErrorRuns == 0)
        {
            string range = operations > 0 ? $"io0 to io{operations - 1}, each also with '+', " : string.Empty;
            throw new ArgumentException($"replay token {replay}: crash point {replay.Point} is never reached; {replay.Workload} has {operations} counted operations ({range}ioshort, iofull)", "token");
        }

        return tally;
    }

    private static string Points(IReadOnlyCollection<string> points) =>
        points.Count == 1 ? $"1 crash point ({points.First()})" : $"{points.Count} crash points ({string.Join(", ", points)})";

    /// <summary>Explores one workload with the given settings (tests).</summary>
    internal static CrashSuiteResult RunWorkload(CrashWorkload workload, CrashSuiteOptions options) =>
        Run(options with { Workloads = [], ExtraWorkloads = [workload] });

    private static RunSettings Settings(CrashSuiteOptions options, long start) => new()
    {
        Seed = options.Seed,
        Deadline = options.TimeLimit is { } limit ? start + (long)(limit.TotalSeconds * Stopwatch.Frequency) : long.MaxValue,
        SampledStates = options.SampledStatesPerCrashPoint,
        SampledOnly = options.SampledStatesOnly,
        NestedRepairEvery = options.NestedRepairEvery,
        RecoverEvery = options.RecoverEvery,
        StopAtFirstFailure = options.StopAtFirstFailure,
        Cancellation = options.Cancellation,
    };

    private static List<CrashWorkload> Select(CrashSuiteOptions options)
    {
        var list = new List<CrashWorkload>();
        if (options.Workloads is null)
        {
            list.AddRange(WorkloadCatalog.Default);
        }
        else
        {
            foreach (string name in options.Workloads)
            {
                list.Add(WorkloadCatalog.Find(name, options.ExtraWorkloads)
                    ?? throw new ArgumentException($"unknown workload '{name}' (known: {string.Join(", ", WorkloadNames)}, random-<seed>)", nameof(options)));
            }
        }

        foreach (var extra in options.ExtraWorkloads ?? [])
            if (!list.Contains(extra)) list.Add(extra);
        return list;
    }

    /// <summary>
    /// Random workloads, a batch per round, until the time is up. The first round always runs, so a
    /// timed run explores random workloads however little of its budget the fixed ones left.
    /// </summary>
    private static List<WorkloadResult> Soak(RunSettings settings, FailureCollector failures, int threads, bool ioErrors)
    {
        var total = new ExploreTally();
        long runs = 0;
        for (int round = 0; round == 0 || (!settings.Expired && !failures.ShouldStop); round++)
        {
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, k =>
            {
                int seed = unchecked((int)Mix((uint)settings.Seed, (uint)(round * threads + k)));
                var template = WorkloadTemplate.Build(RandomWorkload.FromSeed(seed));
                Merge(total, new CrashExplorer(settings, failures).Explore(template, 0, 1));
                if (ioErrors && !settings.Expired)
                {
                    var sweep = new IoErrorSweep(settings, failures);
                    Merge(total, sweep.Sweep(template, sweep.CountOperations(template), 0, 1));
                }

                Interlocked.Increment(ref runs);
            });
        }

        return [Result(new SoakSummary(runs), total, failures)];
    }

    private static uint Mix(uint a, uint b)
    {
        ulong x = ((ulong)a << 32 | b) + 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return (uint)(x ^ (x >> 31));
    }

    private static void Merge(ExploreTally into, ExploreTally from)
    {
        lock (into) into.Add(from);
    }

    private static WorkloadResult Result(CrashWorkload workload, ExploreTally tally, FailureCollector failures) =>
        new(workload.Name, workload.Description, tally.States, tally.CrashPoints, tally.NestedRepairStates, tally.IoErrorRuns, tally.IoErrorStates,
            workload is SoakSummary ? failures.CountPrefixed(RandomWorkload.Prefix) : failures.CountFor(workload.Name));
}
