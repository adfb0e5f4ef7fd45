using System.CommandLine;
using System.Text.Json;
using Storage.VhdEngine;
using Storage.VhdEngine.Maintenance;
using Storage.VhdTool.Json;

namespace Storage.VhdTool;

/// <summary>
/// `vhd check`: looks for corruption without changing anything. Exit 0 when there are no errors
/// (warnings such as leaked space or a missing end footer are fine), 1 otherwise.
/// </summary>
internal static class CheckCommand
{
    public static Command Create(ToolContext tool)
    {
        var image = ToolOptions.Path("IMAGE", "the image to check");
        var json = ToolOptions.Json();
        var ignore = ToolOptions.IgnoreChecksums();
        var share = ToolOptions.ForceShare();
        var azure = new Option<bool>("--azure") { Description = "also report what Azure would refuse (not fixed, size not whole MiB, outside 20 MiB .. 32 TiB)" };
        var command = new Command("check", "check an image for corruption (exit 1 on errors; --json for scripts)") { image, json, ignore, share, azure };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(image)!;
            CheckReport report;
            try
            {
                var options = ToolOptions.OpenOptions(parse.GetValue(ignore), parse.GetValue(share));
                report = VhdMaintenance.Check(tool.Env.FileSystem, path, options);
                if (parse.GetValue(azure) && report.Errors.Count == 0) report = report with { Errors = VhdMaintenance.AzureProblems(tool.Env.FileSystem, path, options) };
            }
            catch (VhdFormatException e) when (ImageFiles.IsChecksum(e))
            {
                throw ImageFiles.WithChecksumHint(e);
            }
            Write(tool.Env.Out, path, report, parse.GetValue(json));
            return report.Errors.Count == 0 ? 0 : 1;
        });
        return command;
    }

    /// <summary>The report as text (one finding a line) or as JSON with errors, warnings and leakedBytes.</summary>
    internal static void Write(TextWriter output, string image, CheckReport report, bool json)
    {
        if (json)
        {
            var doc = new CheckJson(image, report.Errors.Count == 0, [.. report.Errors], [.. report.Warnings], report.LeakedBytes, report.ReclaimableBytes);
            output.WriteLine(JsonSerializer.Serialize(doc, ToolJsonContext.Default.CheckJson));
            return;
        }
        foreach (string error in report.Errors) output.WriteLine($"error: {error}");
        foreach (string warning in report.Warnings) output.WriteLine($"warning: {warning}");
        output.WriteLine(report.Errors.Count == 0
            ? $"{image}: no errors, {report.Warnings.Count} warning(s), {report.LeakedBytes} bytes leaked"
            : $"{image}: {report.Errors.Count} error(s), {report.Warnings.Count} warning(s)");
    }
}
