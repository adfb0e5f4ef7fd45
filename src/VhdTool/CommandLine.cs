namespace Storage.VhdTool;

/// <summary>
/// The arguments of one command, parsed against its option set: positionals, `--name value`,
/// `--name=value` and flags; `--` ends the options. Every mistake is a <see cref="UsageException"/>
/// that carries the command's usage line.
/// </summary>
internal sealed class CommandLine
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);
    private readonly List<string> _positionals = [];

    private CommandLine(string usage) => Usage = usage;

    /// <summary>The command's usage line.</summary>
    public string Usage { get; }

    /// <summary>True if --help or -h was given.</summary>
    public bool HelpRequested { get; private set; }

    /// <summary>Parses <paramref name="args"/> (the arguments after the command name).</summary>
    public static CommandLine Parse(IReadOnlyList<string> args, ICommand command)
    {
        var line = new CommandLine(command.Usage);
        bool optionsEnded = false;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (optionsEnded || arg == "-" || !arg.StartsWith('-'))
            {
                line._positionals.Add(arg);
                continue;
            }
            if (arg == "--") { optionsEnded = true; continue; }
            if (arg is "--help" or "-h") { line.HelpRequested = true; continue; }
            int eq = arg.IndexOf('=');
            string name = eq < 0 ? arg : arg[..eq];
            string? inline = eq < 0 ? null : arg[(eq + 1)..];
            if (command.Flags.Contains(name))
            {
                if (inline is not null) throw line.Error($"option {name} takes no value");
                line._flags.Add(name);
            }
            else if (command.ValueOptions.Contains(name))
            {
                if (line._values.ContainsKey(name)) throw line.Error($"option {name} given twice");
                string? value = inline;
                if (value is null)
                {
                    if (i + 1 >= args.Count) throw line.Error($"option {name} needs a value");
                    value = args[++i];
                }
                line._values[name] = value;
            }
            else
            {
                throw line.Error($"unknown option '{name}' for '{command.Name}'");
            }
        }
        return line;
    }

    /// <summary>The positional argument at <paramref name="index"/>, named <paramref name="name"/> in errors.</summary>
    public string Positional(int index, string name)
    {
        if (index >= _positionals.Count) throw Error($"missing {name}");
        string value = _positionals[index];
        if (value.Length == 0) throw Error($"{name} is empty");
        return value;
    }

    /// <summary>Refuses positional arguments beyond the first <paramref name="count"/>.</summary>
    public void NoMorePositionals(int count)
    {
        if (_positionals.Count > count) throw Error($"unexpected argument '{_positionals[count]}'");
    }

    /// <summary>The value of an option, or null when absent.</summary>
    public string? Value(string option) => _values.GetValueOrDefault(option);

    /// <summary>The value of a required option.</summary>
    public string Required(string option) => Value(option) ?? throw Error($"missing {option}");

    /// <summary>True if the flag was given.</summary>
    public bool Flag(string option) => _flags.Contains(option);

    /// <summary>A byte count (K, M, G, T suffixes) or null when absent.</summary>
    public long? Size(string option) => Value(option) is { } text ? SizeParser.Parse(text, option, Usage) : null;

    /// <summary>A required byte count.</summary>
    public long RequiredSize(string option) => SizeParser.Parse(Required(option), option, Usage);

    /// <summary>One of <paramref name="choices"/>, or <paramref name="fallback"/> when absent.</summary>
    public string Choice(string option, string[] choices, string fallback)
    {
        string? value = Value(option);
        if (value is null) return fallback;
        foreach (var c in choices)
            if (string.Equals(c, value, StringComparison.OrdinalIgnoreCase)) return c;
        throw Error($"bad value for {option}: '{value}' (expected {string.Join(", ", choices)})");
    }

    /// <summary>A usage error carrying this command's usage line.</summary>
    public UsageException Error(string message) => new(message, Usage);
}
