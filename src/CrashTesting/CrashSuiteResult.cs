using System.Globalization;
using System.IO.Abstractions;
using System.Text;
using Storage.CrashTesting.Report;

namespace Storage.CrashTesting;

/// <summary>What a run of the suite explored and found.</summary>
public sealed record CrashSuiteResult
{
    /// <summary>The seed of the run.</summary>
    public required int Seed { get; init; }

    /// <summary>Crash states verified, all workloads together.</summary>
    public required long StatesExplored { get; init; }

    /// <summary>Wall-clock time of the run.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>Per workload, in suite order.</summary>
    public required IReadOnlyList<WorkloadResult> Workloads { get; init; }

    /// <summary>The failures (the first few hundred), sorted by workload and replay token.</summary>
    public required IReadOnlyList<CrashFailure> Failures { get; init; }

    /// <summary>Every failure found, including those not kept in <see cref="Failures"/>.</summary>
    public required int FailureCount { get; init; }

    /// <summary>True when the time limit (or cancellation) stopped the run.</summary>
    public required bool Stopped { get; init; }

    /// <summary>Workloads the run had besides the catalog's (so a report can rebuild their failures).</summary>
    internal IReadOnlyList<CrashWorkload> ExtraWorkloads { get; init; } = [];

    /// <summary>States per second of wall-clock time.</summary>
    public double StatesPerSecond => Elapsed.TotalSeconds > 0 ? StatesExplored / Elapsed.TotalSeconds : 0;

    /// <summary>True when nothing failed.</summary>
    public bool Passed => FailureCount == 0;

    /// <summary>
    /// Writes the report as one self-contained HTML page (no network): every workload, states explored and
    /// time; the first <paramref name="explain"/> failures rebuilt and shown with the timeline of the failing
    /// state and the sectors that read wrong, expected against got, in hex.
    /// </summary>
    /// <param name="path">The file to write (replaced).</param>
    /// <param name="explain">How many failures to rebuild and show in detail (each reruns its workload to its crash point).</param>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public void WriteHtml(string path, int explain = 20) => WriteHtml(new FileSystem(), path, explain);

    /// <summary>Writes the report (see <see cref="WriteHtml(string, int)"/>) through <paramref name="fileSystem"/>.</summary>
    /// <param name="fileSystem">Where to write.</param>
    /// <param name="path">The file to write (replaced).</param>
    /// <param name="explain">How many failures to show in detail.</param>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public void WriteHtml(IFileSystem fileSystem, string path, int explain = 20)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var shown = Failures.Take(Math.Max(0, explain)).Select(f => SuiteFailureDetails.Explain(f, ExtraWorkloads)).ToList();
        var sections = Workloads.Select(w => new ReportSection
        {
            Name = w.Name,
            Description = w.Description,
            StatesExplored = w.StatesExplored,
            CrashPoints = w.CrashPoints,
            FailureCount = w.Failures,
            Failures = shown.Where(f => f.Workload == w.Name).ToList(),
        }).ToList();
        string[] notes =
        [
            string.Create(CultureInfo.InvariantCulture, $"seed {Seed}, {Elapsed.TotalSeconds:0.0} s in all ({StatesPerSecond:0} states/s){(Stopped ? ", stopped by the time limit" : string.Empty)}; rerun one state with: vhd crashtest --seed {Seed} --replay TOKEN"),
        ];
        fileSystem.File.WriteAllText(path, HtmlReport.Render("vhd crashtest", sections, notes), new UTF8Encoding(false));
    }
}
