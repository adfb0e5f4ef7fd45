using System.CommandLine;

namespace Storage.VhdTool;

/// <summary>
/// `vhd completion bash|zsh`: prints a script that completes vhd's commands and options in the
/// shell, by asking the tool itself through System.CommandLine's [suggest:POSITION] directive.
/// Use: <c>source &lt;(vhd completion bash)</c>.
/// </summary>
internal static class CompletionCommand
{
    private const string Bash = """
        _vhd_complete() {
          local IFS=$'\n'
          COMPREPLY=( $(vhd "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null) )
        }
        complete -o default -F _vhd_complete vhd
        """;

    private const string Zsh = """
        _vhd_complete() {
          local -a completions
          completions=( ${(f)"$(vhd "[suggest:${#BUFFER}]" "${BUFFER}" 2>/dev/null)"} )
          compadd -- $completions
        }
        compdef _vhd_complete vhd
        """;

    public static Command Create(ToolEnvironment env)
    {
        var shell = new Argument<string>("SHELL") { Description = "bash or zsh", HelpName = "bash|zsh" };
        shell.AcceptOnlyFromAmong("bash", "zsh");
        var command = new Command("completion", "print a shell completion script (source <(vhd completion bash))") { shell };
        command.SetAction(parse =>
        {
            env.Out.WriteLine(parse.GetValue(shell) == "zsh" ? Zsh : Bash);
            return 0;
        });
        return command;
    }
}
