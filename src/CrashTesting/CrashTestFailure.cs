using System.Globalization;
using System.Text;

namespace Storage.CrashTesting;

/// <summary>
/// One crash state whose recovery failed its checks: where the crash happened, which state, how to
/// replay exactly that state (<see cref="CrashTest.ReplayAsync"/>), what failed, and the evidence a
/// person reads: the timeline up to the crash and the sectors that read wrong.
/// </summary>
public sealed record CrashTestFailure
{
    /// <summary>The workload's name.</summary>
    public required string Workload { get; init; }

    /// <summary>Where: <c>flush&lt;n&gt;</c> (inside the workload's n-th fsync, file or directory, 0-based), <c>end</c> (after the workload returned, before anything else), or <c>run</c> (the workload itself failed).</summary>
    public required string CrashPoint { get; init; }

    /// <summary>The crash state (see <see cref="Storage.FaultInjection.CrashState"/>), or "-".</summary>
    public required string State { get; init; }

    /// <summary>The token that replays exactly this state (<c>workload@point@state</c>), or "-".</summary>
    public required string ReplayToken { get; init; }

    /// <summary>What failed.</summary>
    public required string Message { get; init; }

    /// <summary>What the workload had acknowledged as durable before the crash point.</summary>
    public IReadOnlyList<string> Acknowledged { get; init; } = [];

    /// <summary>The workload's calls and the file operations up to the crash, with what this state kept of the pending ones.</summary>
    public IReadOnlyList<CrashTimelineEntry> Timeline { get; init; } = [];

    /// <summary>The sectors that read wrong, expected against got.</summary>
    public IReadOnlyList<SectorMismatch> Mismatches { get; init; } = [];

    /// <summary>Point, state, replay token, message, the pending changes this state lost or tore, and the first sector that read wrong.</summary>
    /// <returns>A few readable lines.</returns>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{Workload}: crash at {CrashPoint}, state {State}: {Message}");
        foreach (var entry in Timeline.Where(e => e.Outcome is { } o && o != Storage.FaultInjection.PendingChangeOutcome.Landed).Take(8))
            text.Append(CultureInfo.InvariantCulture, $"\n    not on disk in this state: {entry.Text} ({entry.Outcome!.Value.ToString().ToLowerInvariant()})");
        if (Mismatches.Count > 0)
        {
            var m = Mismatches[0];
            text.Append(CultureInfo.InvariantCulture, $"\n    {m.Image} at byte {m.Offset}{(m.What is null ? string.Empty : " (" + m.What + ")")}:");
            text.Append(CultureInfo.InvariantCulture, $"\n      expected {Hex.Preview(m.Expected)}\n      got      {Hex.Preview(m.Actual)}");
        }

        if (ReplayToken != "-")
            text.Append(CultureInfo.InvariantCulture, $"\n    replay: CrashTest.ReplayAsync(\"{ReplayToken}\", ...)");
        return text.ToString();
    }
}
