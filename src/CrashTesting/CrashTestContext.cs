using System.IO.Abstractions;
using Storage.CrashTesting.Harness;
using Storage.VhdActors;

namespace Storage.CrashTesting;

/// <summary>
/// What a workload (and its set-up) runs against in <see cref="CrashTest.RunAsync"/>: a store on a
/// simulated disk that records every call, so the harness knows at each crash point what the store had
/// promised; and <see cref="Acknowledge"/>, for what the workload itself promises its own callers.
/// </summary>
public sealed class CrashTestContext
{
    private readonly CallRecorder _recorder;

    internal CrashTestContext(IDiskStore store, IFileSystem fileSystem, string directory, CallRecorder recorder, bool isSetup, CancellationToken cancellationToken)
    {
        Store = store;
        FileSystem = fileSystem;
        Directory = directory;
        _recorder = recorder;
        IsSetup = isSetup;
        CancellationToken = cancellationToken;
    }

    /// <summary>The store (the actor facade) over the simulated disk. Crash points are its fsyncs, whatever thread they run on.</summary>
    public IDiskStore Store { get; }

    /// <summary>The simulated file system (a <see cref="Storage.FaultInjection.FaultFileSystem"/>), for files a service keeps beside its images; they are crash-tested too.</summary>
    public IFileSystem FileSystem { get; }

    /// <summary>The directory to keep images in (it exists).</summary>
    public string Directory { get; }

    /// <summary>True while <see cref="CrashTestOptions.Setup"/> runs.</summary>
    public bool IsSetup { get; }

    /// <summary>Cancelled when the run is.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>The full path of <paramref name="name"/> in <see cref="Directory"/>.</summary>
    /// <param name="name">A file name.</param>
    /// <returns>The path.</returns>
    public string PathOf(string name) => FileSystem.Path.Combine(Directory, name);

    /// <summary>
    /// Records that the workload now tells its caller <paramref name="fact"/> is durable (a transaction
    /// committed, a record appended). A check is told every fact acknowledged before its crash point
    /// (<see cref="CrashRecoveryContext.Acknowledged"/>), so it can insist on them.
    /// </summary>
    /// <param name="fact">What was promised, in the workload's words.</param>
    public void Acknowledge(string fact)
    {
        ArgumentNullException.ThrowIfNull(fact);
        _recorder.Instant(CallKind.Acknowledge, fact);
    }
}
