using System.Diagnostics;
using System.Globalization;
using Storage.FaultInjection;

namespace Storage.CrashTesting.Harness;

/// <summary>
/// One <see cref="CrashTest.RunAsync"/> (or replay): runs the set-up and makes it durable, runs the
/// workload on a fresh copy capturing a crash point inside every fsync and at the end, then verifies
/// the chosen states of each point.
/// </summary>
internal sealed class CrashTestRun
{
    private readonly Func<CrashTestContext, Task> _workload;
    private readonly CrashReplay? _target;
    private readonly List<CapturedPoint> _points = [];
    private readonly Lock _pointsGate = new();
    private FaultFileSystem? _runFs;

    public CrashTestRun(Func<CrashTestContext, Task> workload, Func<CrashRecoveryContext, Task> verify, CrashTestOptions options, CrashReplay? target, CancellationToken cancellation)
    {
        _workload = workload;
        Verify = verify;
        Options = options;
        _target = target;
        Cancellation = cancellation;
        Failures = new FailureSink(Math.Max(0, options.MaxFailures));
    }

    public Func<CrashRecoveryContext, Task> Verify { get; }

    public CrashTestOptions Options { get; }

    public CancellationToken Cancellation { get; }

    public CallRecorder Recorder { get; } = new();

    public FailureSink Failures { get; }

    public HarnessStores Stores { get; private set; } = null!;

    public async Task<CrashTestResult> RunAsync()
    {
        long start = Stopwatch.GetTimestamp();
        long deadline = Options.TimeLimit is { } limit ? start + (long)(limit.TotalSeconds * Stopwatch.Frequency) : long.MaxValue;
        await using var stores = HarnessStores.Start(Options);
        Stores = stores;
        var exploration = await RunAndExploreAsync(deadline).ConfigureAwait(false);
        return new CrashTestResult
        {
            Name = Options.Name,
            Seed = Options.Seed,
            CrashPoints = _points.Count,
            StatesExplored = exploration?.Verified ?? 0,
            StatesSkipped = exploration?.Skipped ?? 0,
            Elapsed = Stopwatch.GetElapsedTime(start),
            Stopped = exploration?.Stopped ?? false,
            Failures = Failures.Kept(),
            FailureCount = Failures.Count,
        };
    }

    private async Task<StateExploration?> RunAndExploreAsync(long deadline)
    {
        if (await SetupAsync().ConfigureAwait(false) is not { } setup) return null;
        _runFs = Fresh(setup);
        if (await RunWorkloadAsync().ConfigureAwait(false) is { } error)
        {
            RunFailure("run", $"the workload itself failed: {error.GetType().Name}: {error.Message}");
            return null;
        }

        CrashState? only = null;
        if (_target is not null)
        {
            if (_points.Count == 0)
            {
                RunFailure(_target.Point, $"crash point {_target.Point} was not reached (the workload is not deterministic, or not the one the token came from)");
                return null;
            }

            only = CrashState.Parse(_target.State);
        }

        var exploration = new StateExploration(this, _runFs.Trace);
        await exploration.ExploreAsync(_points, only, deadline).ConfigureAwait(false);
        return exploration;
    }

    /// <summary>The set-up on a file system of its own, made durable; null (with a failure) when it throws.</summary>
    private async Task<FaultFileSystem?> SetupAsync()
    {
        var fs = new FaultFileSystem(StateExploration.NewInner(Options.Directory));
        Recorder.FileSystem = fs;
        Recorder.InSetup = true;
        if (Options.Setup is { } setup)
        {
            var (store, manager) = Stores.Open(fs);
            try
            {
                await setup(new CrashTestContext(new RecordingDiskStore(store, Recorder), fs, Options.Directory, Recorder, isSetup: true, Cancellation)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !Cancellation.IsCancellationRequested)
            {
                RunFailure("setup", $"the set-up failed: {e.GetType().Name}: {e.Message}");
                return null;
            }
            finally
            {
                await Stores.StopAsync(manager).ConfigureAwait(false);
            }
        }

        fs.Sync();
        Recorder.EndSetup();
        return fs;
    }

    /// <summary>A copy of the set-up's durable files (and directories) on a fresh file system, so the run's fsyncs count from 0.</summary>
    private FaultFileSystem Fresh(FaultFileSystem setup)
    {
        var inner = StateExploration.NewInner(Options.Directory);
        string root = setup.Inner.Path.GetPathRoot(setup.Inner.Path.GetFullPath(Options.Directory))!;
        foreach (string directory in setup.Inner.Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories))
            inner.Directory.CreateDirectory(directory);
        return setup.CrashedCopy(CrashState.Prefix(setup.Epoch, 0), inner);
    }

    /// <summary>Runs the workload with a capture inside every fsync; returns what it threw, if anything.</summary>
    private async Task<Exception?> RunWorkloadAsync()
    {
        var fs = _runFs!;
        Recorder.FileSystem = fs;
        fs.FlushingToDisk += OnFlushing;
        var (store, manager) = Stores.Open(fs);
        Exception? error = null;
        try
        {
            await _workload(new CrashTestContext(new RecordingDiskStore(store, Recorder), fs, Options.Directory, Recorder, isSetup: false, Cancellation)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !Cancellation.IsCancellationRequested)
        {
            error = e;
        }
        finally
        {
            fs.FlushingToDisk -= OnFlushing;
            if (error is null && (_target is null || _target.Point == "end")) Capture(fs, "end", -1, null, false);
            await Stores.StopAsync(manager).ConfigureAwait(false);
        }

        return error;
    }

    private void OnFlushing(object? sender, FlushToDiskEventArgs e)
    {
        string name = string.Create(CultureInfo.InvariantCulture, $"flush{e.FlushIndex}");
        if (_target is null || _target.Point == name) Capture(e.FileSystem, name, e.FlushIndex, e.Path, e.IsDirectory);
    }

    private void Capture(FaultFileSystem fs, string name, long flushIndex, string? path, bool isDirectory)
    {
        // Inside the fsync, with the file system's lock held: the capture copies, it does not wait.
        var point = fs.CaptureCrashPoint(flushIndex);
        var calls = Recorder.Mark();
        long operation = fs.OperationCount;
        lock (_pointsGate) _points.Add(new CapturedPoint(name, _points.Count, point, calls, operation, path, isDirectory));
    }

    private void RunFailure(string point, string message) =>
        Failures.Add(-1, "-", () => new CrashTestFailure { Workload = Options.Name, CrashPoint = point, State = "-", ReplayToken = "-", Message = message });
}
