using System.CommandLine;
using System.CommandLine.Invocation;
using System.IO.Abstractions;
using Storage.VhdEngine;

namespace Storage.VhdTool;

/// <summary>
/// The `vhd` command-line tool: parsing (System.CommandLine) and the error policy scripts rely
/// on. Exit 0 on success; 1 with one line `vhd: message` on stderr for any image, I/O or
/// permission error (never a stack trace); 2 with `vhd: message` and a usage line for a bad
/// command line.
/// </summary>
public static class Program
{
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
#if VHD_NATIVE
        if (Native.Companion.Handles(args)) return RunCompanion(args, env);
#endif
        var parse = VhdCommandLine.Create(env).Parse(args);
        var command = parse.CommandResult.Command;
        // OTLP export only when OTEL_EXPORTER_OTLP_ENDPOINT is set; flushed on every exit path.
        using var telemetry = ToolTelemetry.StartIfConfigured(VersionAction.Version);
        var root = telemetry is null ? null : ToolTelemetry.StartCommand(command is RootCommand ? null : command.Name);
        int code = 1;
        try
        {
            code = Invoke(parse, env);
            return code;
        }
        finally
        {
            ToolTelemetry.End(root, code);
        }
    }

    private static int Invoke(ParseResult parse, ToolEnvironment env)
    {
        try
        {
            if (parse.Action is ParseErrorAction) throw new UsageException(FirstError(parse));
            var configuration = Configuration(env);
            return Unwrapped(() => parse.Invoke(configuration));
        }
        catch (UsageException e)
        {
            ReportError(env, e.Message);
            env.Error.WriteLine($"usage: {VhdCommandLine.Usage(parse.CommandResult.Command)}");
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
        catch (ArgumentException e) when (e is not ArgumentNullException)
        {
            // An option value the engine refuses (block size, size): the tool hands the user's
            // values to it as they are, so this is bad input, said in one line naming the image.
            ReportError(env, ToolErrors.OneLine(e));
            return 1;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("VHD_DEBUG") is null or "" or "0")
        {
            // A bug, not bad input: still one line, but say so (VHD_DEBUG=1 shows the stack).
            ReportError(env, $"internal error: {e.GetType().Name}: {e.Message}");
            return 1;
        }
    }

    /// <summary>How a parsed command runs: on the environment's writers, its errors left to <see cref="Invoke"/>.</summary>
    private static InvocationConfiguration Configuration(ToolEnvironment env) => new()
    {
        Output = env.Out,
        Error = env.Error,
        EnableDefaultExceptionHandler = false,
        ProcessTerminationTimeout = null, // Ctrl+C is the environment's token (Main)
    };

#if VHD_NATIVE
    private static int RunCompanion(IReadOnlyList<string> args, ToolEnvironment env)
    {
        try
        {
            return Native.Companion.Run(args);
        }
        catch (Exception e) when (e is VhdException or System.ComponentModel.Win32Exception)
        {
            ReportError(env, e.Message);
            return 1;
        }
    }

#endif
    /// <summary>The error to show: the one about the first unrecognized word if any (it is why the rest failed), else the first.</summary>
    private static string FirstError(ParseResult parse)
    {
        if (parse.Errors.Count == 0) return "bad command line";
        foreach (string token in parse.UnmatchedTokens)
            foreach (var error in parse.Errors)
                if (error.Message.Contains($"'{token}'", StringComparison.Ordinal)) return error.Message;
        return parse.Errors[0].Message;
    }

    /// <summary>Runs <paramref name="action"/>; a task's failure is rethrown as what failed (the VhdException), not the wrapper.</summary>
    private static int Unwrapped(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (AggregateException e)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ToolErrors.Unwrap(e));
            throw;
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
