using System.Globalization;

namespace Storage.CrashTesting;

/// <summary>
/// One violated guarantee: which workload, at which crash point, in which crash state, and how to
/// replay exactly that state (<see cref="Replay"/> is accepted by <see cref="CrashSuite.Replay(string, int)"/> and
/// by <c>vhd crashtest --replay</c>).
/// </summary>
/// <param name="Workload">The workload's name.</param>
/// <param name="CrashPoint">Where the crash happened: <c>flush&lt;n&gt;</c> (inside the n-th fsync of the run), <c>end</c>, <c>io&lt;n&gt;</c> (an I/O error at operation n, <c>+</c>: and every later one), <c>ioshort</c>, <c>iofull</c>, <c>run</c> (the workload itself failed) or <c>setup</c>.</param>
/// <param name="State">The crash state (<see cref="Storage.FaultInjection.CrashState"/> string), or "-" when none applies.</param>
/// <param name="Seed">The seed of the run.</param>
/// <param name="Replay">The replay token.</param>
/// <param name="Message">What went wrong.</param>
public sealed record CrashFailure(string Workload, string CrashPoint, string State, int Seed, string Replay, string Message)
{
    /// <summary>The command that reruns exactly this state.</summary>
    public string RerunCommand => string.Create(CultureInfo.InvariantCulture, $"vhd crashtest --seed {Seed} --replay {Replay}");

    /// <summary>Workload, crash point, state, seed, replay token, the message and how to rerun it.</summary>
    /// <returns>A multi-line description.</returns>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"workload {Workload}, crash point {CrashPoint}, state {State}, seed {Seed}, replay {Replay}: {Message}\n  rerun: {RerunCommand} (or CrashSuite.Replay(\"{Replay}\", {Seed}))");
}
