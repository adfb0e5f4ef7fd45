using System.CommandLine;
using System.Text;
#if VHD_NATIVE
using Storage.VhdTool.Native;
#else
using Storage.VhdTool.Hosted;
#endif

namespace Storage.VhdTool;

/// <summary>
/// The `vhd` command tree (System.CommandLine): one subcommand per file, a tool-wide --quiet,
/// `--version`, `--help` on every command, `vhd help [COMMAND]`, and shell completion through
/// System.CommandLine's [suggest] directive (see `vhd completion`). Built per run, since the
/// actions capture that run's <see cref="ToolEnvironment"/>.
/// </summary>
internal static class VhdCommandLine
{
    /// <summary>The root command for one run in <paramref name="env"/>.</summary>
    public static RootCommand Create(ToolEnvironment env)
    {
        var quiet = new Option<bool>("--quiet", "-q") { Description = "no progress bars", Recursive = true };
        var tool = new ToolContext(env, quiet);
        var root = new RootCommand("vhd: create, inspect, change and crash-test Microsoft VHD images (fixed, dynamic, differencing).\n"
            + "SIZE and N take K, M, G or T suffixes (binary). Exit status: 0 success, 1 error (one line on stderr), 2 bad command line.")
        {
            quiet,
        };
        foreach (var option in root.Options)
            if (option is VersionOption version) version.Action = new VersionAction();
        foreach (var command in Commands(tool)) root.Subcommands.Add(command);
        root.Subcommands.Add(HelpCommand(root));
        root.Subcommands.Add(CompletionCommand.Create(env));
        return root;
    }

    private static IEnumerable<Command> Commands(ToolContext tool) =>
    [
        CreateCommand.Create(tool),
        InfoCommand.Create(tool),
        ReadCommand.Create(tool),
        WriteCommand.Create(tool),
        ConvertCommand.Create(tool),
        SnapshotCommand.Create(tool),
        CommitCommand.Create(tool),
        CompactCommand.Create(tool),
        ResizeCommand.Create(tool),
        SetParentCommand.Create(tool),
        ChainCommand.Create(tool),
        PullCommand.Create(tool),
        CheckCommand.Create(tool),
        RepairCommand.Create(tool),
        CrashTestCommand.Create(tool),
#if VHD_NATIVE
        .. Companion.Commands(),
#else
        BenchCommand.Create(tool),
        ServeCommand.Create(tool),
#endif
    ];

    /// <summary>One line for a usage error: "vhd NAME ARG... --required VALUE [options]".</summary>
    public static string Usage(Command command)
    {
        if (command is RootCommand) return "vhd <command> [arguments]  (vhd --help lists the commands)";
        var line = new StringBuilder("vhd ").Append(command.Name);
        foreach (var argument in command.Arguments)
            line.Append(' ').Append(argument.Arity.MinimumNumberOfValues == 0 ? $"[{argument.HelpName}]" : argument.HelpName);
        foreach (var option in command.Options)
            if (option.Required) line.Append(' ').Append(option.Name).Append(' ').Append(option.HelpName);
        if (command.Options.Any(o => !o.Required)) line.Append(" [options]");
        return line.ToString();
    }

    /// <summary>`vhd help [COMMAND]`: the same text as `vhd [COMMAND] --help`.</summary>
    private static Command HelpCommand(RootCommand root)
    {
        var topic = new Argument<string?>("COMMAND") { Description = "the command to describe", Arity = ArgumentArity.ZeroOrOne };
        var help = new Command("help", "describe the tool or one command") { topic };
        help.SetAction(parse =>
        {
            string? name = parse.GetValue(topic);
            if (name is not null && root.Subcommands.All(c => c.Name != name)) throw new UsageException($"unknown command '{name}'");
            return root.Parse(name is null ? ["--help"] : [name, "--help"]).Invoke(parse.InvocationConfiguration);
        });
        return help;
    }
}
