using Storage.VhdEngine;
using System.IO.Abstractions;
using System.Reflection;

namespace Storage.VhdTool;

/// <summary>
/// The `vhd` command-line tool: dispatch, and the error policy scripts rely on. Exit 0 on
/// success; 1 with one line `vhd: message` on stderr for any image, I/O or permission error
/// (never a stack trace); 2 with `vhd: message` and a usage line for a bad command line.
/// </summary>
public static class Program
{
    private const string ToolUsage = "vhd <command> [arguments]  (vhd --help lists the commands)";

    private static readonly ICommand[] Commands =
    [
        new CreateCommand(),
        new InfoCommand(),
        new ReadCommand(),
        new WriteCommand(),
        new ConvertCommand(),
        new SnapshotCommand(),
        new CommitCommand(),
        new CheckCommand(),
        new RepairCommand(),
        new CrashTestCommand(),
        new BenchCommand(),
    ];

    /// <summary>Entry point.</summary>
    public static int Main(string[] args)
    {
        using var cancellation = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            // First Ctrl+C: stop at the next chunk and clean up (a partial convert target is
            // deleted); a second one kills the process.
            e.Cancel = !cancellation.IsCancellationRequested;
            cancellation.Cancel();
        };
        using var stdin = Console.OpenStandardInput();
        using var stdout = Console.OpenStandardOutput();
        var env = new ToolEnvironment(new FileSystem(), Console.Out, Console.Error, stdin, stdout, ShowProgress: !Console.IsErrorRedirected, cancellation.Token);
        return Run(args, env);
    }

    /// <summary>Runs the tool in-process on the real file system with the given streams.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, Stream stdin, Stream stdoutStream) =>
        Run(args, new ToolEnvironment(new FileSystem(), stdout, stderr, stdin, stdoutStream));

    /// <summary>Runs the tool in-process; returns the exit code.</summary>
    public static int Run(IReadOnlyList<string> args, ToolEnvironment env)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(env);
        // OTLP export only when OTEL_EXPORTER_OTLP_ENDPOINT is set; flushed on every exit path.
        using var telemetry = ToolTelemetry.StartIfConfigured(Version);
        var root = telemetry is null ? null : ToolTelemetry.StartCommand(args.Count > 0 ? Find(args[0])?.Name : null);
        int code = 1;
        try
        {
            code = RunCommand(args, env);
            return code;
        }
        finally
        {
            ToolTelemetry.End(root, code);
        }
    }

    private static int RunCommand(IReadOnlyList<string> args, ToolEnvironment env)
    {
        try
        {
            try
            {
                return Dispatch(args, env);
            }
            catch (AggregateException e)
            {
                // A task's failure: report what failed (the VhdException), not the wrapper.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ToolErrors.Unwrap(e));
                throw;
            }
        }
        catch (UsageException e)
        {
            ReportError(env, e.Message);
            env.Error.WriteLine($"usage: {e.Usage ?? ToolUsage}");
            return 2;
        }
        catch (Exception e) when (e is OperationCanceledException || ToolErrors.IsCancellation(e, env.Cancellation))
        {
            ReportError(env, "interrupted");
            return 130;
        }
        catch (Exception e) when (e is VhdException or IOException or UnauthorizedAccessException)
        {
            ReportError(env, e.Message);
            return 1;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("VHD_DEBUG") is null or "" or "0")
        {
            // A bug, not bad input: still one line, but say so (VHD_DEBUG=1 shows the stack).
            ReportError(env, $"internal error: {e.GetType().Name}: {e.Message}");
            return 1;
        }
    }

    private static int Dispatch(IReadOnlyList<string> args, ToolEnvironment env)
    {
        if (args.Count == 0) throw new UsageException("missing command");
        string name = args[0];
        switch (name)
        {
            case "--help" or "-h":
                WriteHelp(env.Out);
                return 0;
            case "help":
                if (args.Count == 1) { WriteHelp(env.Out); return 0; }
                var topic = Find(args[1]) ?? throw new UsageException($"unknown command '{args[1]}'");
                env.Out.WriteLine($"usage: {topic.Usage}");
                return 0;
            case "--version":
                env.Out.WriteLine($"vhd {Version}");
                return 0;
        }
        if (name.StartsWith('-')) throw new UsageException($"unknown option '{name}'");
        var command = Find(name) ?? throw new UsageException($"unknown command '{name}'");
        var line = CommandLine.Parse(args.Skip(1).ToArray(), command);
        if (line.HelpRequested)
        {
            env.Out.WriteLine($"usage: {command.Usage}");
            return 0;
        }
        return command.Run(line, env);
    }

    private static ICommand? Find(string name) => Array.Find(Commands, c => c.Name == name);

    private static void WriteHelp(TextWriter o)
    {
        o.WriteLine($"usage: {ToolUsage}");
        o.WriteLine();
        o.WriteLine("commands:");
        foreach (var c in Commands)
        {
            o.WriteLine($"  {c.Name,-10}{c.Summary}");
            o.WriteLine($"  {"",-10}{c.Usage}");
        }
        o.WriteLine($"  {"help",-10}vhd help [COMMAND]");
        o.WriteLine();
        o.WriteLine("SIZE and N take K, M, G or T suffixes (binary, e.g. 512K, 2M, 1G).");
        o.WriteLine("Exit status: 0 success, 1 error (one line on stderr), 2 bad command line.");
    }

    private static string Version
    {
        get
        {
            var assembly = typeof(Program).Assembly;
            string? v = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
            if (v is null) return assembly.GetName().Version?.ToString() ?? "0.0.0";
            int plus = v.IndexOf('+');
            return plus < 0 ? v : v[..plus];
        }
    }

    /// <summary>Exactly one line, whatever the message holds.</summary>
    private static void ReportError(ToolEnvironment env, string message)
    {
        string oneLine = message.ReplaceLineEndings(" ").Trim();
        env.Error.WriteLine($"vhd: {oneLine}");
        ToolTelemetry.Failed(oneLine);
    }
}
