using Storage.FaultInjection;

namespace Storage.CrashTesting.Harness;

/// <summary>Which states of a crash point are verified: the exploration the options ask for, cut to the per-point budget by an even spread.</summary>
internal static class StateChoice
{
    /// <summary>The states to verify, and how many the budget left out.</summary>
    public static (IReadOnlyList<CrashState> States, long Skipped) For(CrashPoint point, CrashTestOptions options)
    {
        var all = Enumerate(point, options);
        int budget = Math.Max(1, options.MaxStatesPerCrashPoint);
        if (all.Count <= budget) return (all, 0);
        return (Spread(all, budget), all.Count - budget);
    }

    private static IReadOnlyList<CrashState> Enumerate(CrashPoint point, CrashTestOptions options)
    {
        int samples = Math.Max(0, options.SampledStatesPerCrashPoint);
        switch (options.Exploration)
        {
            case CrashExploration.Exhaustive when point.PieceCount <= CrashStates.MaxExhaustivePieces:
                return CrashStates.Exhaustive(point);
            case CrashExploration.Alice:
                return CrashStates.Alice(point);
            case CrashExploration.Sampled:
                return point.SampleCrashStates(options.Seed, samples);
            default:
                var states = point.EnumerateCrashStates();
                return point.PieceCount > CrashStates.ExhaustiveThreshold && samples > 0
                    ? [.. states, .. point.SampleCrashStates(options.Seed, samples)]
                    : states;
        }
    }

    /// <summary><paramref name="count"/> states spread evenly, the first and the last among them.</summary>
    private static List<CrashState> Spread(IReadOnlyList<CrashState> states, int count)
    {
        if (count == 1) return [states[0]];
        var chosen = new List<CrashState>(count);
        for (int i = 0; i < count; i++) chosen.Add(states[(int)((long)i * (states.Count - 1) / (count - 1))]);
        return chosen;
    }
}
