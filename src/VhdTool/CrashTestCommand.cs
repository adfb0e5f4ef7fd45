using System.Globalization;
using System.Text;
using System.Text.Json;
using Storage.CrashTesting;

namespace Storage.VhdTool;

/// <summary>
/// `vhd crashtest`: runs the crash-consistency suite on a simulated disk (nothing touches real
/// files) and reports the crash states explored per workload, states per second and every
/// failure with its replay token. Exit 1 when anything failed. The default run is deterministic.
/// </summary>
internal sealed class CrashTestCommand : ICommand
{
    public string Name => "crashtest";
    public string Summary => "run the crash-consistency suite on a simulated disk (exit 1 on failures)";
    public string Usage => "vhd crashtest [--json] [--seed S] [--time SECONDS] [--workload NAME[,NAME...]] [--replay TOKEN] [--no-io-errors] [--list]";
    public IReadOnlyCollection<string> ValueOptions { get; } = ["--seed", "--time", "--workload", "--replay"];
    public IReadOnlyCollection<string> Flags { get; } = ["--json", "--no-io-errors", "--list"];

    public int Run(CommandLine args, ToolEnvironment env)
    {
        args.NoMorePositionals(0);
        if (args.Flag("--list"))
        {
            foreach (string name in CrashSuite.WorkloadNames) env.Out.WriteLine($"{name,-28}{CrashSuite.Describe(name)}");
            return 0;
        }

        int seed = 0;
        if (args.Value("--seed") is { } seedText && !int.TryParse(seedText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out seed))
            throw args.Error($"bad value for --seed: '{seedText}' (expected a whole number)");
        TimeSpan? time = null;
        if (args.Value("--time") is { } timeText)
        {
            if (!double.TryParse(timeText, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double seconds) || seconds <= 0 || seconds > 1e6)
                throw args.Error($"bad value for --time: '{timeText}' (expected a positive number of seconds)");
            time = TimeSpan.FromSeconds(seconds);
        }

        CrashSuiteResult result;
        if (args.Value("--replay") is { } token)
        {
            if (args.Value("--workload") is not null || time is not null) throw args.Error("--replay reruns one state: it takes only --seed and --json");
            if (!CrashReplay.TryParse(token, out _)) throw args.Error($"bad value for --replay: '{token}' (expected a token such as first-write@flush3@E2:x0110 from a failure report)");
            try
            {
                result = CrashSuite.Replay(token, seed);
            }
            catch (ArgumentException e)
            {
                throw args.Error(e.Message);
            }
        }
        else
        {
            string[]? workloads = args.Value("--workload")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var options = new CrashSuiteOptions
            {
                Seed = seed,
                TimeLimit = time,
                Workloads = workloads,
                IoErrors = !args.Flag("--no-io-errors"),
                Cancellation = env.Cancellation,
            };
            if (env.ShowProgress) env.Error.Write("crashtest: exploring crash states...\r");
            try
            {
                result = CrashSuite.Run(options);
            }
            catch (ArgumentException e)
            {
                throw args.Error(e.Message);
            }
            finally
            {
                if (env.ShowProgress) env.Error.Write(new string(' ', 40) + "\r");
            }
        }

        if (args.Flag("--json")) WriteJson(result, env.Out);
        else WriteText(result, env.Out);
        env.Cancellation.ThrowIfCancellationRequested();
        return result.Passed ? 0 : 1;
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

    private static void WriteJson(CrashSuiteResult result, TextWriter output)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("seed", result.Seed);
            w.WriteNumber("statesExplored", result.StatesExplored);
            w.WriteNumber("elapsedSeconds", Math.Round(result.Elapsed.TotalSeconds, 3));
            w.WriteNumber("statesPerSecond", Math.Round(result.StatesPerSecond, 1));
            w.WriteBoolean("stopped", result.Stopped);
            w.WriteStartArray("workloads");
            foreach (var wl in result.Workloads)
            {
                w.WriteStartObject();
                w.WriteString("name", wl.Name);
                w.WriteString("description", wl.Description);
                w.WriteNumber("statesExplored", wl.StatesExplored);
                w.WriteNumber("crashPoints", wl.CrashPoints);
                w.WriteNumber("recoveryStates", wl.NestedRepairStates);
                w.WriteNumber("ioErrorRuns", wl.IoErrorRuns);
                w.WriteNumber("ioErrorStates", wl.IoErrorStates);
                w.WriteNumber("failures", wl.Failures);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteNumber("failureCount", result.FailureCount);
            w.WriteStartArray("failures");
            foreach (var f in result.Failures)
            {
                w.WriteStartObject();
                w.WriteString("workload", f.Workload);
                w.WriteString("crashPoint", f.CrashPoint);
                w.WriteString("state", f.State);
                w.WriteNumber("seed", f.Seed);
                w.WriteString("replay", f.Replay);
                w.WriteString("rerun", f.RerunCommand);
                w.WriteString("message", f.Message);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        output.WriteLine(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }
}
