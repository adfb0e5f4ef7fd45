namespace Storage.CrashTesting;

/// <summary>Which crash states <see cref="CrashTest"/> explores at each crash point (see <see cref="Storage.FaultInjection.CrashState"/>).</summary>
public enum CrashExploration
{
    /// <summary>As our own suite: every subset of pieces up to 12 pieces, else ALICE-style states plus <see cref="CrashTestOptions.SampledStatesPerCrashPoint"/> sampled ones.</summary>
    Auto,

    /// <summary>Every subset of pieces (2^pieces states); a point with more than 20 pieces falls back to <see cref="Auto"/>.</summary>
    Exhaustive,

    /// <summary>ALICE-style only: every prefix of the pending changes, every single one dropped, every write torn.</summary>
    Alice,

    /// <summary><see cref="CrashTestOptions.SampledStatesPerCrashPoint"/> random states per point, reproducible from <see cref="CrashTestOptions.Seed"/>.</summary>
    Sampled,
}
