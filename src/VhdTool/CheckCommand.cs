using System.Text;
using System.Text.Json;
using Storage.VhdEngine.Maintenance;

namespace Storage.VhdTool;

/// <summary>
/// `vhd check`: looks for corruption without changing anything. Exit 0 when there are no errors
/// (warnings such as leaked space or a missing end footer are fine), 1 otherwise.
/// </summary>
internal sealed class CheckCommand : ICommand
{
    public string Name => "check";
    public string Summary => "check an image for corruption (exit 1 on errors; --json for scripts)";
    public string Usage => "vhd check IMAGE [--json]";
    public IReadOnlyCollection<string> ValueOptions { get; } = [];
    public IReadOnlyCollection<string> Flags { get; } = ["--json"];

    public int Run(CommandLine args, ToolEnvironment env)
    {
        string image = args.Positional(0, "IMAGE");
        args.NoMorePositionals(1);
        var report = Checker.Check(env.FileSystem, image);
        Write(env.Out, image, report, args.Flag("--json"));
        return report.Errors.Count == 0 ? 0 : 1;
    }

    /// <summary>The report as text (one finding a line) or as JSON with errors, warnings and leakedBytes.</summary>
    internal static void Write(TextWriter output, string image, CheckReport report, bool json)
    {
        if (!json)
        {
            foreach (string error in report.Errors) output.WriteLine($"error: {error}");
            foreach (string warning in report.Warnings) output.WriteLine($"warning: {warning}");
            output.WriteLine(report.Errors.Count == 0
                ? $"{image}: no errors, {report.Warnings.Count} warning(s), {report.LeakedBytes} bytes leaked"
                : $"{image}: {report.Errors.Count} error(s), {report.Warnings.Count} warning(s)");
            return;
        }

        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("path", image);
            w.WriteBoolean("clean", report.Errors.Count == 0);
            w.WriteStartArray("errors");
            foreach (string error in report.Errors) w.WriteStringValue(error);
            w.WriteEndArray();
            w.WriteStartArray("warnings");
            foreach (string warning in report.Warnings) w.WriteStringValue(warning);
            w.WriteEndArray();
            w.WriteNumber("leakedBytes", report.LeakedBytes);
            w.WriteNumber("reclaimableBytes", report.ReclaimableBytes);
            w.WriteEndObject();
        }

        output.WriteLine(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }
}
