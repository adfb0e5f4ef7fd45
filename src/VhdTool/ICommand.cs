namespace Storage.VhdTool;

/// <summary>One `vhd` subcommand: its name, its options and what it does. Commands stay thin; the logic is in the engine.</summary>
internal interface ICommand
{
    /// <summary>The word after `vhd`.</summary>
    string Name { get; }

    /// <summary>One line for `vhd --help`.</summary>
    string Summary { get; }

    /// <summary>The usage line, e.g. "vhd info IMAGE [--json]".</summary>
    string Usage { get; }

    /// <summary>Options that take a value (with their leading dashes).</summary>
    IReadOnlyCollection<string> ValueOptions { get; }

    /// <summary>Options that are flags.</summary>
    IReadOnlyCollection<string> Flags { get; }

    /// <summary>Runs the command; returns the exit code.</summary>
    int Run(CommandLine args, ToolEnvironment env);
}
