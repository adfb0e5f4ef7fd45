using Akka.Actor;
using Storage.VhdActors;

namespace Storage.CrashTesting;

/// <summary>How <see cref="CrashTest.RunAsync"/> runs a workload and explores its crash states. The defaults explore as our own suite does.</summary>
public sealed record CrashTestOptions
{
    /// <summary>The workload's name, in replay tokens and reports (letters, digits, '-', '_' and '.').</summary>
    public string Name { get; init; } = "workload";

    /// <summary>
    /// Builds the starting point (images, data) through the same kind of context, without crash points;
    /// everything it leaves is made durable before the workload runs. Null: start from an empty directory.
    /// </summary>
    public Func<CrashTestContext, Task>? Setup { get; init; }

    /// <summary>Which states to explore at each crash point (default <see cref="CrashExploration.Auto"/>).</summary>
    public CrashExploration Exploration { get; init; } = CrashExploration.Auto;

    /// <summary>Sampled states added where a point is too large for exhaustive enumeration (<see cref="CrashExploration.Auto"/>), or the states per point (<see cref="CrashExploration.Sampled"/>). Default 8.</summary>
    public int SampledStatesPerCrashPoint { get; init; } = 8;

    /// <summary>The most states verified at one crash point; beyond it an even spread (first and last kept) is verified and the rest counted as skipped. Default 4096.</summary>
    public int MaxStatesPerCrashPoint { get; init; } = 4096;

    /// <summary>The most states verified in all; null for no limit.</summary>
    public long? MaxStates { get; init; }

    /// <summary>Stops exploring when this much time has passed (what was verified is reported); null for no limit.</summary>
    public TimeSpan? TimeLimit { get; init; }

    /// <summary>Seed of the sampled states.</summary>
    public int Seed { get; init; }

    /// <summary>Stop at the first failing state.</summary>
    public bool StopAtFirstFailure { get; init; }

    /// <summary>States verified at once (each with its own store over its own crashed files). Default: one per processor.</summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>The directory the workload keeps its images in (created empty on the simulated disk). Default <c>/crashtest</c>.</summary>
    public string Directory { get; init; } = "/crashtest";

    /// <summary>
    /// Settings of the stores the workload and the checks get (open options, inline I/O, ...); the file
    /// system is the harness's, and idle closing is off. Null: the defaults.
    /// </summary>
    public VhdStorageOptions? Storage { get; init; }

    /// <summary>The actor system the stores run in (for example a TestKit's); null: one is started for the run and terminated after it.</summary>
    public ActorSystem? ActorSystem { get; init; }

    /// <summary>Failures kept with their details (all are counted). Default 100.</summary>
    public int MaxFailures { get; init; } = 100;
}
