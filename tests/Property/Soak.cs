namespace Storage.Tests.Property;

/// <summary>
/// Iteration budgets. The default run is bounded (the whole project in a few minutes on two
/// cores); STORAGE_SOAK=1 multiplies every budget by <see cref="Multiplier"/> (STORAGE_SOAK_FACTOR,
/// default 25). CsCheck_Iter, when set, overrides every count; CsCheck_Seed replays a failure
/// (CsCheck prints the seed of every failing property).
/// </summary>
public static class Soak
{
    /// <summary>True when STORAGE_SOAK=1.</summary>
    public static bool Enabled => Environment.GetEnvironmentVariable("STORAGE_SOAK") == "1";

    /// <summary>Budget multiplier in soak runs.</summary>
    public static int Multiplier =>
        !Enabled ? 1 : int.TryParse(Environment.GetEnvironmentVariable("STORAGE_SOAK_FACTOR"), out int f) && f > 0 ? f : 25;

    /// <summary>The iteration count for a property whose default budget is <paramref name="defaultIterations"/>.</summary>
    public static long Iter(long defaultIterations) =>
        long.TryParse(Environment.GetEnvironmentVariable("CsCheck_Iter"), out long forced) && forced > 0 ? forced : defaultIterations * Multiplier;
}
