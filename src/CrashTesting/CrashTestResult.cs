using System.Globalization;
using System.IO.Abstractions;
using System.Text;
using Storage.CrashTesting.Report;

namespace Storage.CrashTesting;

/// <summary>What <see cref="CrashTest.RunAsync"/> explored and found.</summary>
public sealed record CrashTestResult
{
    /// <summary>The workload's name.</summary>
    public required string Name { get; init; }

    /// <summary>The seed of the sampled states.</summary>
    public required int Seed { get; init; }

    /// <summary>Crash points the workload passed (each fsync, and the end).</summary>
    public required int CrashPoints { get; init; }

    /// <summary>Crash states verified.</summary>
    public required long StatesExplored { get; init; }

    /// <summary>States enumerated but not verified because of a budget (<see cref="CrashTestOptions.MaxStatesPerCrashPoint"/>, <see cref="CrashTestOptions.MaxStates"/>, <see cref="CrashTestOptions.TimeLimit"/>).</summary>
    public required long StatesSkipped { get; init; }

    /// <summary>Wall-clock time of the run, the workload's own run included.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>True when the time limit, <see cref="CrashTestOptions.StopAtFirstFailure"/> or cancellation stopped the exploration early.</summary>
    public required bool Stopped { get; init; }

    /// <summary>The failures kept (see <see cref="CrashTestOptions.MaxFailures"/>), in crash point order.</summary>
    public required IReadOnlyList<CrashTestFailure> Failures { get; init; }

    /// <summary>Every failing state found, kept or not.</summary>
    public required int FailureCount { get; init; }

    /// <summary>States verified per second of wall-clock time.</summary>
    public double StatesPerSecond => Elapsed.TotalSeconds > 0 ? StatesExplored / Elapsed.TotalSeconds : 0;

    /// <summary>True when no state failed.</summary>
    public bool Passed => FailureCount == 0;

    /// <summary>Throws <see cref="CrashTestFailedException"/> (whose message is <see cref="ToString"/>) unless <see cref="Passed"/>.</summary>
    /// <exception cref="CrashTestFailedException">A state failed.</exception>
    public void AssertPassed()
    {
        if (!Passed) throw new CrashTestFailedException(this);
    }

    /// <summary>Writes the report as one self-contained HTML page (no network): the run, and for each failure its timeline and the sectors that read wrong, in hex.</summary>
    /// <param name="path">The file to write (replaced).</param>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public void WriteHtml(string path) => WriteHtml(new FileSystem(), path);

    /// <summary>Writes the report (see <see cref="WriteHtml(string)"/>) through <paramref name="fileSystem"/>.</summary>
    /// <param name="fileSystem">Where to write.</param>
    /// <param name="path">The file to write (replaced).</param>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public void WriteHtml(IFileSystem fileSystem, string path)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        ArgumentException.ThrowIfNullOrEmpty(path);
        fileSystem.File.WriteAllText(path, HtmlReport.Render($"crash test: {Name}", [ReportSection.From(this)]), new UTF8Encoding(false));
    }

    /// <summary>One summary line, then every kept failure (see <see cref="CrashTestFailure.ToString"/>).</summary>
    /// <returns>The report as text.</returns>
    public override string ToString()
    {
        var text = new StringBuilder(string.Create(CultureInfo.InvariantCulture,
            $"crash test {Name}: {StatesExplored} states at {CrashPoints} crash points in {Elapsed.TotalSeconds:0.0} s ({StatesPerSecond:0} states/s), {FailureCount} failure(s)"));
        if (StatesSkipped > 0) text.Append(CultureInfo.InvariantCulture, $", {StatesSkipped} states skipped by the budget");
        if (Stopped) text.Append(" (stopped early)");
        foreach (var failure in Failures) text.Append("\n  ").Append(failure.ToString().Replace("\n", "\n  ", StringComparison.Ordinal));
        if (FailureCount > Failures.Count) text.Append(CultureInfo.InvariantCulture, $"\n  ... and {FailureCount - Failures.Count} more");
        return text.ToString();
    }
}
