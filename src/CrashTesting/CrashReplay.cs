using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using Storage.FaultInjection;

namespace Storage.CrashTesting;

/// <summary>
/// A replay token: the workload, the crash point and the crash state of one verified state, as
/// <c>workload@point@state[@repairPoint@repairState]</c>, for example
/// <c>first-write@flush7@E5:x0110100111</c> or <c>repair-leaked-tail@flush3@E2:p1@repair-flush0@E0:x1</c>
/// (the second pair names a crash inside a recovery of the crashed image: <c>repair-</c> for
/// VhdMaintenance.Repair, <c>reopen-</c> for a read-write open, then <c>flush&lt;n&gt;</c> or <c>end</c>).
/// Points: <c>flush&lt;n&gt;</c> (inside the n-th <c>Flush(true)</c> of the run), <c>end</c>,
/// <c>io&lt;n&gt;</c> or <c>io&lt;n&gt;+</c> (an I/O error at counted operation n, once or from then on, then the crash),
/// <c>ioshort</c> (every read short), <c>iofull</c> (every growth fails: disk full).
/// The workloads are deterministic, so the same token always rebuilds the same state.
/// </summary>
public sealed record CrashReplay
{
    private static readonly SearchValues<char> WorkloadNameChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._");

    /// <summary>The workload's name.</summary>
    public required string Workload { get; init; }

    /// <summary>The crash point.</summary>
    public required string Point { get; init; }

    /// <summary>The crash state at that point.</summary>
    public required string State { get; init; }

    /// <summary>The crash point inside a recovery of the crashed image (<c>repair-…</c> or <c>reopen-…</c>), or null.</summary>
    public string? RepairPoint { get; init; }

    /// <summary>The crash state at <see cref="RepairPoint"/>, or null.</summary>
    public string? RepairState { get; init; }

    /// <summary>Parses a token printed by <see cref="ToString"/>.</summary>
    /// <param name="text">The token.</param>
    /// <returns>The replay.</returns>
    /// <exception cref="FormatException">Not a replay token.</exception>
    public static CrashReplay Parse(string text) =>
        TryParse(text, out var replay)
            ? replay
            : throw new FormatException($"\"{text}\" is not a replay token: expected workload@point@state[@repair-point@state], e.g. first-write@flush7@E5:x0110");

    /// <summary>Parses a token printed by <see cref="ToString"/>.</summary>
    /// <param name="text">The token.</param>
    /// <param name="replay">The replay when valid.</param>
    /// <returns>True when valid.</returns>
    public static bool TryParse(string? text, [NotNullWhen(true)] out CrashReplay? replay)
    {
        replay = null;
        if (string.IsNullOrEmpty(text)) return false;
        string[] parts = text.Split('@');
        if (parts.Length is not (3 or 5)) return false;
        string workload = parts[0];
        if (!IsWorkloadName(workload) || !IsPoint(parts[1]) || !CrashState.TryParse(parts[2], out _)) return false;
        if (parts.Length == 5 && (!IsNestedPoint(parts[3]) || !CrashState.TryParse(parts[4], out _)))
            return false;
        replay = new CrashReplay
        {
            Workload = workload,
            Point = parts[1],
            State = parts[2],
            RepairPoint = parts.Length == 5 ? parts[3] : null,
            RepairState = parts.Length == 5 ? parts[4] : null,
        };
        return true;
    }

    /// <summary>The token.</summary>
    /// <returns>For example <c>first-write@flush7@E5:x0110</c>.</returns>
    public override string ToString()
    {
        var text = new StringBuilder(Workload);
        text.Append('@').Append(Point).Append('@').Append(State);
        if (RepairPoint is not null) text.Append('@').Append(RepairPoint).Append('@').Append(RepairState);
        return text.ToString();
    }

    /// <summary>Workload names are letters, digits, '-', '.' and '_' (a sample's file name).</summary>
    private static bool IsWorkloadName(string name) =>
        name.Length > 0 && !name.AsSpan().ContainsAnyExcept(WorkloadNameChars);

    private static bool IsPoint(string point) =>
        point is "end" or "ioshort" or "iofull"
        || (point.StartsWith("flush", StringComparison.Ordinal) && IsNumber(point.AsSpan(5)))
        || (point.StartsWith("io", StringComparison.Ordinal) && IsNumber(point.AsSpan(2).TrimEnd('+')));

    private static bool IsNestedPoint(string point) =>
        (point.StartsWith("repair-", StringComparison.Ordinal) || point.StartsWith("reopen-", StringComparison.Ordinal)) && IsPoint(point[7..]);

    private static bool IsNumber(ReadOnlySpan<char> text) => !text.IsEmpty && !text.ContainsAnyExceptInRange('0', '9');
}
