using Storage.FaultInjection;

namespace Storage.CrashTesting.Harness;

/// <summary>A crash point of the workload's run, captured inside its fsync (or at the end).</summary>
/// <param name="Name"><c>flush&lt;n&gt;</c> or <c>end</c>.</param>
/// <param name="Order">Position among the run's crash points.</param>
/// <param name="Point">The frozen pending epoch.</param>
/// <param name="Calls">Where the workload's calls stood.</param>
/// <param name="Operation">The file system's operation count (the fsync's own index).</param>
/// <param name="FlushedPath">The file or directory being fsynced; null at the end.</param>
/// <param name="IsDirectory">True for a directory's fsync.</param>
internal sealed record CapturedPoint(string Name, int Order, CrashPoint Point, CallMarker Calls, long Operation, string? FlushedPath, bool IsDirectory);
