using Storage.CrashTesting.Harness;
using Storage.FaultInjection;
using Storage.VhdEngine.Disks;

namespace Storage.CrashTesting.Report;

/// <summary>
/// Rebuilds a failing state of the internal suite to show it (the suite keeps no per-state evidence while
/// it explores tens of thousands of states): the workload runs again to the failure's crash point, the
/// point is captured with the models as they stood, and the state gives its timeline and the sectors that
/// read something the model does not allow, expected (the flushed value) against got.
/// </summary>
internal static class SuiteFailureDetails
{
    private const int MaxSectors = 8;

    /// <summary>The failure with its timeline and sectors; as it was when it cannot be rebuilt (not a crash-point state, or the workload changed).</summary>
    public static CrashTestFailure Explain(CrashFailure failure, IReadOnlyList<CrashWorkload> extra)
    {
        var basic = new CrashTestFailure
        {
            Workload = failure.Workload, CrashPoint = failure.CrashPoint, State = failure.State, ReplayToken = failure.Replay, Message = failure.Message,
        };
        if (!CrashReplay.TryParse(failure.Replay, out var replay) || !(replay.Point == "end" || replay.Point.StartsWith("flush", StringComparison.Ordinal)))
            return basic;
        if (WorkloadCatalog.Find(replay.Workload, extra) is not { } workload || Capture(workload, replay.Point) is not { } captured)
            return basic;
        try
        {
            var state = CrashState.Parse(replay.State);
            var crashed = captured.Point.Point.CrashedCopy(state, WorkloadTemplate.NewInner());
            return basic with
            {
                Timeline = TimelineBuilder.Build(captured.Trace, captured.Point, captured.Point.Point.Describe(state), [], WorkloadContext.Directory),
                Mismatches = Sectors(crashed, captured.Images, captured.Codec),
            };
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            return basic;
        }
    }

    private static Captured? Capture(CrashWorkload workload, string pointName)
    {
        var template = WorkloadTemplate.Build(workload);
        var ctx = template.Instantiate();
        Captured? captured = null;
        void OnFlush(object? sender, FlushToDiskEventArgs e)
        {
            if ($"flush{e.FlushIndex}" != pointName) return;
            captured = Take(e.FileSystem, ctx, template.Codec, pointName, e.FlushIndex, e.Path, e.IsDirectory);
            throw new StopExploringException();
        }

        ctx.FileSystem.FlushingToDisk += OnFlush;
        try
        {
            workload.Run(ctx);
            ctx.FileSystem.FlushingToDisk -= OnFlush;
            if (pointName == "end") captured = Take(ctx.FileSystem, ctx, template.Codec, "end", -1, null, false);
        }
        catch (Exception) when (captured is not null)
        {
            // The workload was stopped at its crash point.
        }
        finally
        {
            ctx.FileSystem.FlushingToDisk -= OnFlush;
            try { ctx.CloseAll(); } catch (Exception) { /* closing after an abandoned flush */ }
        }

        return captured;
    }

    private static Captured Take(FaultFileSystem fs, WorkloadContext ctx, SectorCodec codec, string name, long flushIndex, string? path, bool isDirectory)
    {
        var point = new CapturedPoint(name, 0, fs.CaptureCrashPoint(flushIndex), default, fs.OperationCount, path, isDirectory);
        return new Captured(point, fs.Trace, ctx.Images.Select(i => i.Clone()).ToList(), codec);
    }

    /// <summary>Sectors of the crashed images that read what their models do not allow.</summary>
    private static List<SectorMismatch> Sectors(FaultFileSystem crashed, List<TrackedImage> images, SectorCodec codec)
    {
        var found = new List<SectorMismatch>();
        foreach (var image in images.Where(i => i.Checked && i.Model is not null && crashed.File.Exists(i.Path)))
        {
            try
            {
                using var disk = VirtualDisk.Open(crashed, image.Path, FileAccess.Read);
                foreach (var (sector, _, expectedKey) in image.Model!.Mismatches(DiskView.Read(disk), MaxSectors - found.Count))
                {
                    var actual = new byte[SectorCodec.SectorSize];
                    var expected = new byte[SectorCodec.SectorSize];
                    disk.Read(sector * SectorCodec.SectorSize, actual);
                    codec.Encode(expectedKey, expected);
                    found.Add(new SectorMismatch(image.Path, sector * SectorCodec.SectorSize, expected, actual, "the flushed value"));
                }
            }
            catch (Storage.VhdEngine.VhdException)
            {
                // An image that does not open has its message; there are no sectors to show.
            }
        }

        return found;
    }

    private sealed record Captured(CapturedPoint Point, IReadOnlyList<FaultOperation> Trace, List<TrackedImage> Images, SectorCodec Codec);
}
