using System.CommandLine;
using System.Diagnostics;
using Storage.VhdEngine;

namespace Storage.VhdTool.Native;

/// <summary>
/// In the Native AOT build, the commands that host an ActorSystem (Akka.NET needs the JIT) run in
/// the JIT build of the same tool, published beside this binary as vhd-hosted/vhd (see
/// scripts/publish-native.sh). The arguments are passed on as they are, the standard streams are
/// inherited, and its exit code is this one's. Ctrl+C reaches both processes; this one waits.
/// </summary>
internal static class Companion
{
    /// <summary>The hosted commands, with the line `vhd --help` shows for each.</summary>
    private static readonly (string Name, string Summary)[] Hosted =
    [
        ("bench", HostedSummaries.Bench),
        ("serve", HostedSummaries.Serve),
    ];

    /// <summary>Where the JIT build is expected.</summary>
    public static string Path => System.IO.Path.Combine(AppContext.BaseDirectory, "vhd-hosted", "vhd");

    /// <summary>True when <paramref name="args"/> name a hosted command.</summary>
    public static bool Handles(IReadOnlyList<string> args) => args.Count > 0 && Array.Exists(Hosted, h => h.Name == args[0]);

    /// <summary>Placeholders for the root's help and completion; running one means the companion was bypassed.</summary>
    public static IEnumerable<Command> Commands() => Hosted.Select(h => new Command(h.Name, h.Summary) { TreatUnmatchedTokensAsErrors = false });

    /// <summary>Runs <paramref name="args"/> in the companion and returns its exit code.</summary>
    public static int Run(IReadOnlyList<string> args)
    {
        if (!File.Exists(Path))
            throw new VhdException($"'{args[0]}' runs in the JIT build of vhd (Akka.NET has no Native AOT), expected at {Path}: publish with scripts/publish-native.sh, or run the .NET tool");
        var psi = new ProcessStartInfo(Path) { UseShellExecute = false };
        foreach (string a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new VhdException($"{Path}: could not be started");
        process.WaitForExit();
        return process.ExitCode;
    }
}
