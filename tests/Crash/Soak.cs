namespace Storage.Tests.Crash;

/// <summary>STORAGE_SOAK=1 turns the default budgets into long sampled runs.</summary>
internal static class Soak
{
    public static bool Enabled => Environment.GetEnvironmentVariable("STORAGE_SOAK") is { Length: > 0 } v && v != "0";

    /// <summary><paramref name="normal"/> by default, <paramref name="soak"/> under STORAGE_SOAK=1.</summary>
    public static T Pick<T>(T normal, T soak) => Enabled ? soak : normal;
}
