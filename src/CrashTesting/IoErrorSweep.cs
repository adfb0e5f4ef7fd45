using System.Globalization;
using Storage.FaultInjection;
using Storage.VhdEngine;

namespace Storage.CrashTesting;

/// <summary>
/// I/O errors at every counted operation of a workload: a clean run counts the operations
/// (<see cref="FaultPlan.OperationCount"/>), then each index fails once and from then on. The failing
/// call must throw a <see cref="VhdException"/>; every disk the workload holds must then either keep
/// working (a fresh write and flush succeed and read back) or say why not; after a crash (a few states
/// of the pending epoch, the failed fsync's one included) every image must pass checks 1-4.
/// </summary>
internal sealed class IoErrorSweep(RunSettings settings, FailureCollector failures)
{
    private const int FollowUpBytes = 4096;

    /// <summary>Counted operations of a clean run of the workload.</summary>
    public long CountOperations(WorkloadTemplate template)
    {
        var ctx = template.Instantiate();
        var plan = new FaultPlan(settings.Seed);
        ctx.FileSystem.Plan = plan;
        try
        {
            template.Workload.Run(ctx);
        }
        finally
        {
            ctx.CloseAll();
        }

        return plan.OperationCount;
    }

    public ExploreTally Sweep(WorkloadTemplate template, long operations, int shard, int shards, CrashReplay? target = null)
    {
        var tally = new ExploreTally();
        for (long i = 0; i < operations; i++)
        {
            foreach (bool fromThenOn in (bool[])[false, true])
            {
                string point = string.Create(CultureInfo.InvariantCulture, $"io{i}{(fromThenOn ? "+" : string.Empty)}");
                if (target is not null ? target.Point != point : (i * 2 + (fromThenOn ? 1 : 0)) % shards != shard) continue;
                if (failures.ShouldStop) return tally;
                if (settings.Expired) { tally.TimedOut = true; return tally; }
                tally.IoErrorRuns++;
                RunOne(template, point, new FaultPlan(settings.Seed).FailAt(i, fromThenOn), fromThenOn, tally, target);
            }
        }

        // Short reads (every read returns less than asked) must change nothing; a full disk fails every growth.
        foreach (string point in (string[])["ioshort", "iofull"])
        {
            if (target is not null ? target.Point != point : (2 * operations + (point == "iofull" ? 1 : 0)) % shards != shard) continue;
            if (failures.ShouldStop || settings.Expired) return tally;
            tally.IoErrorRuns++;
            var plan = point == "ioshort"
                ? new FaultPlan(settings.Seed).WithShortReads(1.0)
                : new FaultPlan(settings.Seed).WithMaxFileSize(template.LargestFile);
            RunOne(template, point, plan, fromThenOn: point == "iofull", tally, target);
        }

        return tally;
    }

    private void RunOne(WorkloadTemplate template, string point, FaultPlan plan, bool fromThenOn, ExploreTally tally, CrashReplay? target)
    {
        var workload = template.Workload;
        var ctx = template.Instantiate();
        var fs = ctx.FileSystem;
        fs.Plan = plan;
        var problems = new List<string>();
        Exception? error = null;
        try
        {
            workload.Run(ctx);
        }
        catch (Exception e)
        {
            error = e;
        }

        string what = Judge(fs, plan, point, error, problems);

        FollowUp(ctx, error, fromThenOn, what, problems);
        try { ctx.CloseAll(); } catch (Exception e) when (e is VhdException or IOException) { /* disposing a failed disk */ }
        fs.Plan = null;

        var states = StatesToCheck(fs, target);
        if (problems.Count > 0)
        {
            Fail(workload, point, states[0].ToString(), string.Join("\n  ", problems));
            return;
        }

        if (FirstFailingState(template, ctx, states, tally) is { } bad)
            Fail(workload, point, bad.State.ToString(), $"after {what} ({(error is null ? "no error surfaced" : StateVerifier.Describe(error))}) and a crash: " + string.Join("\n  ", bad.Found));
    }

    /// <summary>What the injected fault was, in words; adds a problem when the workload's outcome does not fit it.</summary>
    private static string Judge(FaultFileSystem fs, FaultPlan plan, string point, Exception? error, List<string> problems)
    {
        var faulted = fs.Trace.FirstOrDefault(op => op.Faulted);
        string what = plan.FaultCount == 0
            ? (point == "ioshort" ? "every read came back short" : "no operation failed")
            : string.Create(CultureInfo.InvariantCulture, $"{faulted.Kind} of {faulted.Path} at {faulted.Offset}+{faulted.Length} failed");
        if (point == "ioshort" && error is not null)
            problems.Add($"with short reads the workload failed: {StateVerifier.Describe(error)}\n{error.StackTrace}");
        if (error is null && plan.FaultCount > 0 && faulted.Kind is FaultOperationKind.Write or FaultOperationKind.SetLength or FaultOperationKind.FlushToDisk or FaultOperationKind.FlushDirectory)
            problems.Add($"{what}, but the workload finished without an error: the engine swallowed a failed {faulted.Kind}");
        if (error is not null and not VhdException)
            problems.Add($"{what}, and the call threw {StateVerifier.Describe(error)} instead of a VhdException\n{error.StackTrace}");
        return what;
    }

    /// <summary>The crash states to verify: the replayed one, or the first, last, middle and a sampled one.</summary>
    private IReadOnlyList<CrashState> StatesToCheck(FaultFileSystem fs, CrashReplay? target)
    {
        if (target is not null) return [CrashState.Parse(target.State)];
        var all = fs.EnumerateCrashStates();
        return new[] { all[0], all[^1], all[all.Count / 2] }
            .Concat(fs.SampleCrashStates(settings.Seed, 1))
            .Distinct()
            .ToList();
    }

    /// <summary>Verifies each state after the fault and a crash; the first that reads wrong, with what was found.</summary>
    private static (CrashState State, List<string> Found)? FirstFailingState(WorkloadTemplate template, WorkloadContext ctx, IReadOnlyList<CrashState> states, ExploreTally tally)
    {
        foreach (var state in states)
        {
            tally.States++;
            tally.IoErrorStates++;
            List<string> found;
            try
            {
                var crashed = ctx.FileSystem.CrashedCopy(state, WorkloadTemplate.NewInner());
                found = StateVerifier.Verify(crashed, ctx.Images, template.Codec, VerifyLevel.Basic);
            }
            catch (Exception e)
            {
                found = [$"the verifier failed: {StateVerifier.Describe(e)}"];
            }
            if (found.Count > 0) return (state, found);
        }
        return null;
    }

    /// <summary>Each disk the workload still holds either keeps working or says why not.</summary>
    private static void FollowUp(WorkloadContext ctx, Exception? error, bool fromThenOn, string what, List<string> problems)
    {
        bool promisedUsable = error is null || error is VhdIOException { DiskUsable: true };
        foreach (var (disk, image) in ctx.OpenDisks.ToList())
        {
            if (image.Model is not { } model) continue;
            long? at = FollowUpOffset(model);
            if (at is null) continue;
            int id = ctx.ReserveWriteId();
            try
            {
                ctx.Write(disk, at.Value, FollowUpBytes, id);
                ctx.Flush(disk);
                var back = new byte[FollowUpBytes];
                disk.Read(at.Value, back);
                for (int i = 0; i < FollowUpBytes / SectorCodec.SectorSize; i++)
                {
                    long sector = at.Value / SectorCodec.SectorSize + i;
                    ulong key = SectorCodec.Decode(back.AsSpan(i * SectorCodec.SectorSize, SectorCodec.SectorSize));
                    if (key != SectorCodec.Stamp(id, sector))
                    {
                        problems.Add($"{image.Path}: after {what}, a write and flush succeeded but sector {sector} reads {SectorCodec.Describe(key, sector)}");
                        break;
                    }
                }
            }
            catch (VhdException e)
            {
                // Saying why not is fine, unless the disk had promised to stay usable and nothing fails any more.
                if (!fromThenOn && promisedUsable && error is not null)
                    problems.Add($"{image.Path}: after {what} the disk said it stayed usable ({StateVerifier.Describe(error)}), but a later write and flush failed: {StateVerifier.Describe(e)}");
            }
            catch (Exception e)
            {
                problems.Add($"{image.Path}: after {what}, a follow-up write/flush threw {StateVerifier.Describe(e)}");
            }
        }
    }

    private static long? FollowUpOffset(ImageModel model)
    {
        int unit = model.BlockSize > 0 ? model.BlockSize : FollowUpBytes;
        // The second untouched block from the end (the verifier's fresh write takes the last one).
        bool skipped = false;
        for (long block = model.Length / unit - 1; block >= 0; block--)
        {
            if ((block + 1) * unit > model.Length || !model.BlockUntouched(block, unit)) continue;
            if (!skipped) { skipped = true; continue; }
            return block * unit;
        }

        return null;
    }

    private void Fail(CrashWorkload workload, string point, string state, string message)
    {
        var replay = new CrashReplay { Workload = workload.Name, Point = point, State = state };
        failures.Add(new CrashFailure(workload.Name, point, state, settings.Seed, replay.ToString(), message));
    }
}
