using CsCheck;

namespace Storage.CrashTesting;

/// <summary>
/// The CsCheck hook: a workload generated from a <see cref="Gen{T}"/> is crash-tested sample by sample;
/// a failing sample is shrunk by CsCheck to a smaller input that still fails, and the failure printed with
/// CsCheck's seed (rerun with it: <c>seed: "..."</c> or <c>CsCheck_Seed=...</c>) and the crash state's
/// replay token (for <see cref="CrashTest.ReplayAsync"/> with the same input).
/// </summary>
public static class CrashTestGenExtensions
{
    /// <summary>Crash-tests the workload built from each generated input; throws when one fails.</summary>
    /// <typeparam name="T">The generated input (operations, sizes, ...).</typeparam>
    /// <param name="gen">The generator.</param>
    /// <param name="workload">The workload for an input.</param>
    /// <param name="verify">The check for an input.</param>
    /// <param name="options">Options of every run (a small state budget keeps shrinking fast); null for the defaults.</param>
    /// <param name="iter">Inputs to try (default 20).</param>
    /// <param name="seed">CsCheck's seed, to rerun a printed failure; null for a fresh one.</param>
    /// <param name="threads">Inputs crash-tested at once (default 1: each run already verifies states in parallel).</param>
    /// <param name="writeLine">Where CsCheck writes its summary (a test's output); null for none.</param>
    /// <param name="print">How an input is printed in the failure; null for CsCheck's default.</param>
    /// <returns>A task that completes when every input passed.</returns>
    /// <exception cref="CsCheckException">An input failed: the message has the seed, the shrunk input and the crash test's report (an inner <see cref="CrashTestFailedException"/>).</exception>
    public static Task SampleCrashTestAsync<T>(
        this Gen<T> gen,
        Func<T, CrashTestContext, Task> workload,
        Func<T, CrashRecoveryContext, Task> verify,
        CrashTestOptions? options = null,
        long iter = 20,
        string? seed = null,
        int threads = 1,
        Action<string>? writeLine = null,
        Func<T, string>? print = null)
    {
        ArgumentNullException.ThrowIfNull(gen);
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(verify);
        return gen.SampleAsync(
            async input =>
            {
                var result = await CrashTest.RunAsync(ctx => workload(input, ctx), check => verify(input, check), options).ConfigureAwait(false);
                result.AssertPassed();
            },
            writeLine,
            seed,
            iter,
            threads: threads,
            print: print);
    }
}
