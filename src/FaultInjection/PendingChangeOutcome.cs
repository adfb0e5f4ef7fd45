namespace Storage.FaultInjection;

/// <summary>What a crash state does with a <see cref="PendingChange"/>.</summary>
public enum PendingChangeOutcome
{
    /// <summary>Every piece reached the disk.</summary>
    Landed,

    /// <summary>No piece reached the disk.</summary>
    Dropped,

    /// <summary>Some pieces reached the disk (some sectors of a write, or its length change without its data).</summary>
    Torn,
}
