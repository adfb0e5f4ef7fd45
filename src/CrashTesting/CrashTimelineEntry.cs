using Storage.FaultInjection;

namespace Storage.CrashTesting;

/// <summary>
/// One line of a failing state's timeline: what the workload did and what reached the simulated disk,
/// in order, up to the crash; for a change still pending at the crash, whether this state kept it.
/// </summary>
/// <param name="OperationIndex">The file system's counted operation (see <see cref="FaultOperation.Index"/>) it happened at or before.</param>
/// <param name="Kind">What it is.</param>
/// <param name="Text">One readable line.</param>
/// <param name="Outcome">For a change pending at the crash: landed, dropped or torn in this state; null for what was durable before (or is no change).</param>
/// <param name="Pieces">For a pending change: one character per piece, '1' kept ('0' lost): a write's length change first if it has one, then its sectors.</param>
public sealed record CrashTimelineEntry(long OperationIndex, CrashTimelineKind Kind, string Text, PendingChangeOutcome? Outcome = null, string? Pieces = null);
