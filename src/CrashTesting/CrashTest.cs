using Storage.CrashTesting.Harness;

namespace Storage.CrashTesting;

/// <summary>
/// Crash-tests a service author's own workload: it runs against a real <see cref="Storage.VhdActors.IDiskStore"/>
/// on a simulated disk (a <see cref="Storage.FaultInjection.FaultFileSystem"/> over an in-memory file system),
/// crashes it at every durability point (every fsync of a file or a directory, and the end) in every state the
/// crash model allows (as our own suite: exhaustive when small, ALICE-style plus sampled when larger, within
/// budgets), and calls the author's check on each recovered state with a fresh store over the crashed files.
/// </summary>
/// <example>
/// <code>
/// var result = await CrashTest.RunAsync(
///     async ctx => { var disk = await ctx.Store.CreateAsync(ctx.PathOf("log.vhd"), new VhdCreateOptions { Size = 4 &lt;&lt; 20 }); ... },
///     async check => { await using var disk = await check.Store.OpenAsync(check.PathOf("log.vhd")); ... },
///     new CrashTestOptions { Name = "wal" });
/// result.AssertPassed();
/// </code>
/// </example>
public static class CrashTest
{
    /// <summary>Runs <paramref name="workload"/> once, crashing it at every durability point, and checks every chosen crash state with <paramref name="verify"/>.</summary>
    /// <param name="workload">The code under test; it must be deterministic (the same calls in the same order every run) for replay tokens to work.</param>
    /// <param name="verify">The check of one recovered state; it fails the state by throwing. Up to <see cref="CrashTestOptions.Parallelism"/> checks run at once, each on its own context.</param>
    /// <param name="options">Exploration, budgets, set-up; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>States explored and failures, each with a replay token.</returns>
    /// <exception cref="ArgumentException">A bad option (the name, a budget).</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public static async Task<CrashTestResult> RunAsync(Func<CrashTestContext, Task> workload, Func<CrashRecoveryContext, Task> verify, CrashTestOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(verify);
        options = Validate(options ?? new CrashTestOptions());
        var result = await new CrashTestRun(workload, verify, options, null, cancellationToken).RunAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return result;
    }

    /// <summary>
    /// Reruns exactly one state: the workload up to the crash point named in <paramref name="replayToken"/>
    /// (a <see cref="CrashTestFailure.ReplayToken"/>), that crash state only, and the check on it.
    /// </summary>
    /// <param name="replayToken">For example <c>wal@flush3@E2:x0110</c>.</param>
    /// <param name="workload">The same workload.</param>
    /// <param name="verify">The check (it may have changed: that is the point of a replay).</param>
    /// <param name="options">The same options (the name must match the token's).</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>One state explored; a failure when it still fails, or when the point is not reached.</returns>
    /// <exception cref="FormatException">Not a replay token.</exception>
    /// <exception cref="ArgumentException">The token names another workload.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public static async Task<CrashTestResult> ReplayAsync(string replayToken, Func<CrashTestContext, Task> workload, Func<CrashRecoveryContext, Task> verify, CrashTestOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(replayToken);
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(verify);
        options = Validate(options ?? new CrashTestOptions());
        var target = CrashReplay.Parse(replayToken);
        if (target.Workload != options.Name || target.RepairPoint is not null || !(target.Point == "end" || target.Point.StartsWith("flush", StringComparison.Ordinal)))
            throw new ArgumentException($"replay token {replayToken} is not a state of workload '{options.Name}' (its tokens look like {options.Name}@flush3@E2:x0110)", nameof(replayToken));
        var result = await new CrashTestRun(workload, verify, options with { StopAtFirstFailure = false }, target, cancellationToken).RunAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return result;
    }

    private static CrashTestOptions Validate(CrashTestOptions options)
    {
        if (string.IsNullOrEmpty(options.Name) || options.Name.AsSpan().ContainsAnyExcept(NameCharacters))
            throw new ArgumentException($"the workload name '{options.Name}' must be letters, digits, '-', '_' or '.' (it goes into replay tokens)", nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxStatesPerCrashPoint, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Parallelism, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.SampledStatesPerCrashPoint, nameof(options));
        if (string.IsNullOrEmpty(options.Directory) || options.Directory[0] != '/' || options.Directory.Length > 1 && options.Directory.EndsWith('/'))
            throw new ArgumentException($"the directory '{options.Directory}' must be an absolute path like /crashtest", nameof(options));
        return options;
    }

    private static readonly System.Buffers.SearchValues<char> NameCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.");
}
