using System.Globalization;
using Storage.FaultInjection;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Maintenance;

namespace Storage.CrashTesting;

/// <summary>
/// Runs a workload once with a handler inside every <c>Flush(true)</c>: at each crash point (and at
/// the end) it enumerates the crash states of the pending epoch (exhaustive up to 12 pieces,
/// ALICE-style plus sampled states above), materializes each into a fresh file system and verifies
/// it. Shards split the states of one run between threads: shard r verifies the states whose
/// running index is r modulo the shard count, so every state is verified exactly once.
/// </summary>
internal sealed class CrashExplorer(RunSettings settings, FailureCollector failures)
{
    private readonly List<string> _pointsReached = [];

    /// <summary>Every crash point the last run reached, in order, nested recovery points included (what a replay can name).</summary>
    public IReadOnlyList<string> PointsReached => _pointsReached;

    public ExploreTally Explore(WorkloadTemplate template, int shard, int shards, CrashReplay? target = null)
    {
        var tally = new ExploreTally();
        var ctx = template.Instantiate();
        long counter = 0;
        bool verifiedOnce = false;

        void AtCrashPoint(string point, FaultFileSystem fs)
        {
            _pointsReached.Add(point);
            if (target is not null && target.Point != point) return;
            StopIfExpired(tally, verifiedOnce);
            if (shard == 0) tally.CrashPoints++;
            foreach (var state in States(fs, target))
            {
                long index = counter++;
                if (target is null && index % shards != shard) continue;
                if (failures.ShouldStop) throw new StopExploringException();
                StopIfExpired(tally, verifiedOnce);
                tally.States++;
                var unchanged = verifiedOnce ? Unchanged(fs, ctx) : null;
                verifiedOnce = true;
                VerifyState(template, ctx, fs, point, state, index, tally, target, unchanged);
            }
        }

        RunWorkload(template.Workload, ctx, shard, AtCrashPoint);
        return tally;
    }

    /// <summary>
    /// Runs the workload with <paramref name="atCrashPoint"/> inside every flush and once at its end;
    /// shard 0 reports the problems of the run itself.
    /// </summary>
    private void RunWorkload(CrashWorkload workload, WorkloadContext ctx, int shard, Action<string, FaultFileSystem> atCrashPoint)
    {
        void OnFlush(object? sender, FlushToDiskEventArgs e) => atCrashPoint(Point(e.FlushIndex), e.FileSystem);

        ctx.FileSystem.FlushingToDisk += OnFlush;
        try
        {
            workload.Run(ctx);
            ctx.FileSystem.FlushingToDisk -= OnFlush;
            if (shard == 0)
            {
                foreach (string problem in ctx.Problems) Fail(workload, "run", "-", null, problem);
            }

            atCrashPoint("end", ctx.FileSystem);
        }
        catch (StopExploringException)
        {
        }
        catch (Exception e) when (shard == 0)
        {
            // A replay (always shard 0) reports it too: the state it replays may pass while the workload breaks.
            Fail(workload, "run", "-", null, $"the workload itself failed: {StateVerifier.Describe(e)}\n{e.StackTrace}");
        }
        catch (Exception)
        {
            // Shard 0 reports a failing workload; the other shards just stop.
        }
        finally
        {
            ctx.FileSystem.FlushingToDisk -= OnFlush;
            try { ctx.CloseAll(); } catch (Exception) { /* closing after an abandoned flush */ }
        }
    }

    /// <summary>
    /// Ends the exploration once the time limit passed, but only after it verified a state
    /// (<paramref name="verifiedOnce"/>): a run on a slow or loaded machine still checks something of
    /// every workload it starts.
    /// </summary>
    private void StopIfExpired(ExploreTally tally, bool verifiedOnce = true)
    {
        if (!settings.Expired || !verifiedOnce) return;
        tally.TimedOut = true;
        throw new StopExploringException();
    }

    public static string Point(long flushIndex) => string.Create(CultureInfo.InvariantCulture, $"flush{flushIndex}");

    private IReadOnlyList<CrashState> States(FaultFileSystem fs, CrashReplay? target)
    {
        if (target is not null) return [CrashState.Parse(target.State)];
        if (settings.SampledOnly > 0) return fs.SampleCrashStates(settings.Seed, settings.SampledOnly);
        var states = fs.EnumerateCrashStates();
        if (settings.SampledStates > 0 && fs.PendingPieceCount > CrashStates.ExhaustiveThreshold)
            states = [.. states, .. fs.SampleCrashStates(settings.Seed, settings.SampledStates)];
        return states;
    }

    /// <summary>Images whose file this run has not changed at all (no write since the start, none pending).</summary>
    private static HashSet<string> Unchanged(FaultFileSystem fs, WorkloadContext ctx)
    {
        var unchanged = new HashSet<string>(StringComparer.Ordinal);
        foreach (var image in ctx.ImagesByPath.Values)
        {
            if (fs.GetDisk(image.Path) is { Epoch: 0, PendingOperationCount: 0 }) unchanged.Add(image.Path);
        }

        return unchanged;
    }

    private void VerifyState(WorkloadTemplate template, WorkloadContext ctx, FaultFileSystem fs, string point, CrashState state, long index, ExploreTally tally, CrashReplay? target, HashSet<string>? unchanged)
    {
        var workload = template.Workload;
        List<string> problems;
        FaultFileSystem crashed;
        try
        {
            crashed = fs.CrashedCopy(state, WorkloadTemplate.NewInner());
            problems = StateVerifier.Verify(crashed, ctx.Images, template.Codec, settings.Level, unchanged);
        }
        catch (ArgumentException e) when (target is not null)
        {
            // A replayed state from another crash point or another version of the workload.
            problems = [$"cannot replay this state here: {e.Message}"];
        }
        catch (Exception e)
        {
            problems = [$"the verifier failed: {StateVerifier.Describe(e)}\n{e.StackTrace}"];
        }

        if (problems.Count > 0)
        {
            Fail(workload, point, state.ToString(), null, string.Join("\n  ", problems));
            return;
        }

        bool recover = workload.HasRecovery && target?.RepairPoint is null
            && (target is not null || (settings.RecoverEvery > 0 && index % settings.RecoverEvery == 0));
        if (recover && !Recover(template, ctx, fs, point, state)) return;

        bool nested = target?.RepairPoint is not null
            || (target is null && (workload.RepairEveryState || (settings.NestedRepairEvery > 0 && index % settings.NestedRepairEvery == 0)));
        if (nested) NestedRepair(template, ctx, fs, point, state, tally, target);
    }

    /// <summary>Runs the workload's recovery on a copy of the crashed state and verifies the result; false on a failure.</summary>
    private bool Recover(WorkloadTemplate template, WorkloadContext ctx, FaultFileSystem fs, string point, CrashState state)
    {
        List<string> problems;
        try
        {
            var copy = fs.CrashedCopy(state, WorkloadTemplate.NewInner());
            var images = ctx.ImagesByPath.ToDictionary(p => p.Key, p => p.Value.Clone(), StringComparer.Ordinal);
            var recovery = new WorkloadContext(copy, template.Codec, images, ctx.NextWriteIdValue);
            template.Workload.Recover(recovery);
            recovery.CloseAll();
            problems = [.. recovery.Problems, .. StateVerifier.Verify(copy, recovery.Images, template.Codec, settings.Level)];
        }
        catch (Exception e)
        {
            problems = [$"recovery threw {StateVerifier.Describe(e)}\n{e.StackTrace}"];
        }

        if (problems.Count == 0) return true;
        Fail(template.Workload, point, state.ToString(), null, "after recovery (" + template.Workload.Name + " run again): " + string.Join("\n  ", problems));
        return false;
    }

    /// <summary>
    /// Recovers each crashed image the two ways a user would, with crash points of their own: a
    /// repair, and a read-write open (which puts a missing end footer back). A crash during either
    /// must be as safe as any other.
    /// </summary>
    private void NestedRepair(WorkloadTemplate template, WorkloadContext ctx, FaultFileSystem fs, string point, CrashState state, ExploreTally tally, CrashReplay? target)
    {
        var images = ctx.Images;
        foreach (var image in images)
        {
            if (!image.Checked || images.Any(i => i.ParentPath == image.Path && i.Checked)) continue;
            // A child that refuses its changed parent has nothing to repair or reopen.
            if (image.ParentLink != ParentLink.Intact && StateVerifier.RefusesCleanly(fs.CrashedCopy(state, WorkloadTemplate.NewInner()), image, [])) continue;
            foreach (string kind in (string[])["repair", "reopen"])
            {
                if (target?.RepairPoint is { } wanted && !wanted.StartsWith(kind + "-", StringComparison.Ordinal)) continue;
                NestedRecovery(template, images, image, kind, fs, point, state, tally, target);
            }
        }
    }

    private void NestedRecovery(WorkloadTemplate template, IReadOnlyList<TrackedImage> images, TrackedImage image, string kind, FaultFileSystem fs, string point, CrashState state, ExploreTally tally, CrashReplay? target)
    {
        var copy = fs.CrashedCopy(state, WorkloadTemplate.NewInner());
        if (!copy.File.Exists(image.Path)) return;

        void AtNestedPoint(string nestedPoint, FaultFileSystem recovering)
        {
            _pointsReached.Add($"{point}@{nestedPoint}");
            if (target?.RepairPoint is { } wanted && wanted != nestedPoint) return;
            foreach (var inner in NestedStates(recovering, target))
            {
                StopIfExpired(tally);
                tally.States++;
                tally.NestedRepairStates++;
                var problems = VerifyNestedState(template, images, image, recovering, inner);
                if (problems.Count > 0)
                    Fail(template.Workload, point, state.ToString(), (nestedPoint, inner.ToString()), $"crash during a {kind} of {image.Path}: " + string.Join("\n  ", problems));
            }
        }

        void OnFlush(object? sender, FlushToDiskEventArgs e) => AtNestedPoint($"{kind}-{Point(e.FlushIndex)}", e.FileSystem);

        copy.FlushingToDisk += OnFlush;
        try
        {
            var report = RunRecovery(kind, copy, image.Path);
            copy.FlushingToDisk -= OnFlush;
            if (report is not null && target is null) FailIfRepairLeftWork(template.Workload, image, copy, point, state, report);
            AtNestedPoint($"{kind}-end", copy);
        }
        catch (Exception e) when (e is not StopExploringException)
        {
            Fail(template.Workload, point, state.ToString(), ($"{kind}-end", CrashState.Prefix(copy.Epoch, 0).ToString()), $"{kind} of {image.Path} threw {StateVerifier.Describe(e)}");
        }
        finally
        {
            copy.FlushingToDisk -= OnFlush;
        }
    }

    /// <summary>
    /// Recovers the image the way <paramref name="kind"/> names: a repair (its report), or a read-write
    /// open, which puts a missing end footer back (no report).
    /// </summary>
    private static CheckReport? RunRecovery(string kind, FaultFileSystem copy, string path)
    {
        if (kind == "repair") return VhdMaintenance.Repair(copy, path);
        VirtualDisk.Open(copy, path, FileAccess.ReadWrite).Dispose();
        return null;
    }

    private static IReadOnlyList<CrashState> NestedStates(FaultFileSystem recovering, CrashReplay? target) =>
        target?.RepairState is { } s ? [CrashState.Parse(s)] : recovering.EnumerateCrashStates();

    /// <summary>Verifies one crash state of a nested recovery; the problems found.</summary>
    private static List<string> VerifyNestedState(WorkloadTemplate template, IReadOnlyList<TrackedImage> images, TrackedImage image, FaultFileSystem recovering, CrashState inner)
    {
        try
        {
            var crashed = recovering.CrashedCopy(inner, WorkloadTemplate.NewInner());
            // A recovery writes only the image it recovers: the others are as the outer state left them.
            return StateVerifier.Verify(crashed, images, template.Codec, VerifyLevel.Basic, OthersThan(image, images));
        }
        catch (Exception e)
        {
            return [$"the verifier failed: {StateVerifier.Describe(e)}"];
        }
    }

    /// <summary>A repair that finished must leave neither errors nor reclaimable bytes.</summary>
    private void FailIfRepairLeftWork(CrashWorkload workload, TrackedImage image, FaultFileSystem copy, string point, CrashState state, CheckReport report)
    {
        if (report.Errors.Count == 0 && report.ReclaimableBytes <= 0) return;
        string left = report.Errors.Count > 0 ? "errors: " + string.Join("; ", report.Errors) : report.ReclaimableBytes + " reclaimable bytes";
        Fail(workload, point, state.ToString(), ("repair-end", CrashState.Prefix(copy.Epoch, 0).ToString()), $"repair of {image.Path} left {left}");
    }

    private static HashSet<string> OthersThan(TrackedImage image, IReadOnlyList<TrackedImage> images) =>
        images.Where(i => i.Path != image.Path).Select(i => i.Path).ToHashSet(StringComparer.Ordinal);

    private void Fail(CrashWorkload workload, string point, string state, (string Point, string State)? repair, string message)
    {
        string replay = state == "-"
            ? "-"
            : new CrashReplay
            {
                Workload = workload.Name,
                Point = point,
                State = state,
                RepairPoint = repair?.Point,
                RepairState = repair?.State,
            }.ToString();
        failures.Add(new CrashFailure(workload.Name, repair is null ? point : $"{point} then {repair.Value.Point}", repair is null ? state : $"{state} then {repair.Value.State}", settings.Seed, replay, message));
    }
}
