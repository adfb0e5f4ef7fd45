using System.Globalization;

namespace Storage.FaultInjection;

/// <summary>
/// One change of a crash point's pending epoch, and what a crash state does with it
/// (<see cref="FaultFileSystem.DescribeCrashState"/>, <see cref="CrashPoint.Describe"/>): the timeline a
/// person reads next to a failing state.
/// </summary>
/// <param name="Index">0-based position in the pending epoch (the operation index of <c>p</c>, <c>d</c> and <c>t</c> states).</param>
/// <param name="OperationIndex">The file system's counted operation that made the change (see <see cref="FaultOperation.Index"/>), or -1.</param>
/// <param name="Kind">What changed.</param>
/// <param name="Path">The file (full path; for a rename, its source).</param>
/// <param name="Destination">A rename's destination, else null.</param>
/// <param name="Offset">A write's file offset, or the new length of a length change; else 0.</param>
/// <param name="Length">Bytes written; else 0.</param>
/// <param name="ChangesLength">True when the first piece is a length change (a write past the end, a truncation).</param>
/// <param name="Pieces">One character per piece in piece order (see <see cref="CrashState"/>): '1' kept by the crash, '0' lost.</param>
public sealed record PendingChange(
    int Index,
    long OperationIndex,
    PendingChangeKind Kind,
    string Path,
    string? Destination,
    long Offset,
    long Length,
    bool ChangesLength,
    string Pieces)
{
    /// <summary>How many of its pieces the crash kept.</summary>
    public int PiecesKept => Pieces.Count(c => c == '1');

    /// <summary>Landed (every piece kept), dropped (none) or torn (some).</summary>
    public PendingChangeOutcome Outcome =>
        PiecesKept == Pieces.Length ? PendingChangeOutcome.Landed : PiecesKept == 0 ? PendingChangeOutcome.Dropped : PendingChangeOutcome.Torn;

    /// <summary>For example <c>write /img/a.vhd @4096+1024: torn (2 of 3 pieces)</c>.</summary>
    /// <returns>One line.</returns>
    public override string ToString()
    {
        string what = Kind switch
        {
            PendingChangeKind.Write => string.Create(CultureInfo.InvariantCulture, $"write {Path} @{Offset}+{Length}"),
            PendingChangeKind.SetLength => string.Create(CultureInfo.InvariantCulture, $"set length of {Path} to {Offset}"),
            PendingChangeKind.Rename => $"rename {Path} -> {Destination}",
            PendingChangeKind.Create => $"create {Path}",
            _ => $"delete {Path}",
        };
        string outcome = Outcome.ToString().ToLowerInvariant();
        return Outcome == PendingChangeOutcome.Torn
            ? string.Create(CultureInfo.InvariantCulture, $"{what}: {outcome} ({PiecesKept} of {Pieces.Length} pieces)")
            : $"{what}: {outcome}";
    }
}
