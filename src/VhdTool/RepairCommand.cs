using Storage.VhdEngine;
using Storage.VhdEngine.Maintenance;

namespace Storage.VhdTool;

/// <summary>
/// `vhd repair`: puts a missing end footer (or footer copy) back and gives leaked tail space back,
/// each step crash-safe; then prints the check of the result. Exit 0 when the result has no errors.
/// </summary>
internal sealed class RepairCommand : ICommand
{
    public string Name => "repair";
    public string Summary => "restore the end footer and reclaim leaked tail space (--json for scripts)";
    public string Usage => "vhd repair IMAGE [--json]";
    public IReadOnlyCollection<string> ValueOptions { get; } = [];
    public IReadOnlyCollection<string> Flags { get; } = ["--json"];

    public int Run(CommandLine args, ToolEnvironment env)
    {
        string image = args.Positional(0, "IMAGE");
        args.NoMorePositionals(1);
        CheckReport report;
        try
        {
            report = Checker.Repair(env.FileSystem, image);
        }
        catch (VhdFormatException e)
        {
            throw ImageFiles.WithPath(image, e);
        }

        CheckCommand.Write(env.Out, image, report, args.Flag("--json"));
        return report.Errors.Count == 0 ? 0 : 1;
    }
}
