using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Storage.CrashTesting;
using Storage.VhdTool.Json;

namespace Storage.VhdTool;

/// <summary>
/// `vhd crashtest`: runs the crash-consistency suite on a simulated disk (nothing touches real
/// files) and reports the crash states explored per workload, states per second and every
/// failure with its replay token. Exit 1 when anything failed. The default run is deterministic.
/// </summary>
internal static class CrashTestCommand
{
    private const int ProgressScale = 1000;

    public static Command Create(ToolContext tool)
    {
        var json = ToolOptions.Json();
        var seed = new Option<int>("--seed") { Description = "seed of the sampled states and random workloads", HelpName = "S" };
        var time = TimeOption();
        var workload = new Option<string>("--workload") { Description = "only these workloads", HelpName = "NAME[,NAME...]" };
        var replay = new Option<string>("--replay") { Description = "rerun exactly one state from a failure report", HelpName = "TOKEN" };
        var noIoErrors = new Option<bool>("--no-io-errors") { Description = "skip the I/O-error sweep" };
        var list = new Option<bool>("--list") { Description = "list the workloads" };
        var html = new Option<string>("--html") { Description = "also write the report as one HTML page (failures with timelines and sectors in hex)", HelpName = "FILE" };
        var command = new Command("crashtest", "run the crash-consistency suite on a simulated disk (exit 1 on failures)")
        {
            json, seed, time, workload, replay, noIoErrors, list, html,
        };
        command.SetAction(parse =>
        {
            var env = tool.Env;
            if (parse.GetValue(list))
            {
                foreach (string name in CrashSuite.WorkloadNames) env.Out.WriteLine($"{name,-28}{CrashSuite.Describe(name)}");
                return 0;
            }
            double? seconds = parse.GetValue(time);
            var options = new CrashSuiteOptions
            {
                Seed = parse.GetValue(seed),
                TimeLimit = seconds is { } s ? TimeSpan.FromSeconds(s) : null,
                Workloads = parse.GetValue(workload)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                IoErrors = !parse.GetValue(noIoErrors),
                Cancellation = env.Cancellation,
            };
            var result = parse.GetValue(replay) is { } token ? Replay(token, options) : Run(tool, tool.ShowProgress(parse), options);
            if (parse.GetValue(json)) env.Out.WriteLine(JsonSerializer.Serialize(ToJson(result), ToolJsonContext.Default.CrashSuiteJson));
            else WriteText(result, env.Out);
            if (parse.GetValue(html) is { } page) result.WriteHtml(page);
            env.Cancellation.ThrowIfCancellationRequested();
            return result.Passed ? 0 : 1;
        });
        return command;
    }

    /// <summary>--time: a positive number of seconds, at most a million.</summary>
    private static Option<double?> TimeOption()
    {
        var time = new Option<double?>("--time") { Description = "after the suite, random workloads until SECONDS have passed", HelpName = "SECONDS" };
        time.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double?>() is { } s && (s <= 0 || s > 1e6))
                r.AddError($"bad value for --time: '{r.Tokens[0].Value}' (expected a positive number of seconds)");
        });
        return time;
    }

    private static CrashSuiteResult Replay(string token, CrashSuiteOptions options)
    {
        if (options.Workloads is not null || options.TimeLimit is not null) throw new UsageException("--replay reruns one state: it takes only --seed, --json and --html");
        if (!CrashReplay.TryParse(token, out _)) throw new UsageException($"bad value for --replay: '{token}' (expected a token such as first-write@flush3@E2:x0110 from a failure report)");
        try
        {
            return CrashSuite.Replay(token, options.Seed);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }

    private static CrashSuiteResult Run(ToolContext tool, bool progress, CrashSuiteOptions options)
    {
        try
        {
            return ToolProgress.Run(tool.Env, progress, "exploring crash states", ProgressScale, p =>
                CrashSuite.Run(options with { Progress = p is null ? null : new Progress(p) }));
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }

    private static void WriteText(CrashSuiteResult result, TextWriter o)
    {
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"crash-consistency suite, seed {result.Seed}"));
        o.WriteLine($"{"workload",-28}{"states",9}{"points",8}{"recovery",10}{"io runs",9}{"io states",11}{"failures",10}");
        foreach (var w in result.Workloads)
        {
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{w.Name,-28}{w.StatesExplored,9}{w.CrashPoints,8}{w.NestedRepairStates,10}{w.IoErrorRuns,9}{w.IoErrorStates,11}{w.Failures,10}"));
        }

        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"total: {result.StatesExplored} crash states explored in {result.Elapsed.TotalSeconds:0.0} s ({result.StatesPerSecond:0} states/s), {result.FailureCount} failure(s){(result.Stopped ? " (stopped by the time limit)" : string.Empty)}"));
        foreach (var failure in result.Failures)
        {
            o.WriteLine();
            o.WriteLine($"FAILED {failure}");
        }

        if (result.FailureCount > result.Failures.Count)
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"... and {result.FailureCount - result.Failures.Count} more failure(s)"));
    }

    private static CrashSuiteJson ToJson(CrashSuiteResult r) => new(
        r.Seed, r.StatesExplored, Math.Round(r.Elapsed.TotalSeconds, 3), Math.Round(r.StatesPerSecond, 1), r.Stopped,
        [.. r.Workloads.Select(w => new CrashWorkloadJson(w.Name, w.Description, w.StatesExplored, w.CrashPoints, w.NestedRepairStates, w.IoErrorRuns, w.IoErrorStates, w.Failures))],
        r.FailureCount,
        [.. r.Failures.Select(f => new CrashFailureJson(f.Workload, f.CrashPoint, f.State, f.Seed, f.Replay, f.RerunCommand, f.Message))]);

    /// <summary>The suite's fraction done, on the bar's scale.</summary>
    private sealed class Progress(IProgress<long> bar) : IProgress<double>
    {
        public void Report(double value) => bar.Report((long)(value * ProgressScale));
    }
}
