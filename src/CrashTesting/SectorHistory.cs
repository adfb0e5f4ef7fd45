namespace Storage.CrashTesting;

/// <summary>
/// What one virtual sector may read after a crash: its last durable value (as of the last
/// disk-level flush that returned) and the values written after it, the latest last.
/// </summary>
internal sealed class SectorHistory
{
    private bool _lastWriteFailed;

    public SectorHistory(ulong durable)
    {
        Durable = durable;
        Current = durable;
    }

    /// <summary>The value a completed flush made durable.</summary>
    public ulong Durable { get; private set; }

    /// <summary>The value a read sees now (the latest write).</summary>
    public ulong Current { get; private set; }

    /// <summary>Values written since <see cref="Durable"/>, in order; null when none.</summary>
    public List<ulong>? After { get; private set; }

    /// <summary>
    /// Values a failed write left possible for good: the call threw, so a later flush promises
    /// nothing about it, and the sector may keep any of these until a successful write replaces it.
    /// </summary>
    public List<ulong>? Uncertain { get; private set; }

    /// <summary>True when a crash may leave something other than <see cref="Durable"/>.</summary>
    public bool IsPending => After is not null;

    public void Write(ulong key)
    {
        (After ??= []).Add(key);
        Current = key;
    }

    /// <summary>The write of <see cref="Current"/> threw: whatever the sector held before stays possible after any flush.</summary>
    public void WriteFailed()
    {
        _lastWriteFailed = true;
        Uncertain ??= [];
        Uncertain.Add(Durable);
        if (After is not null) Uncertain.AddRange(After);
    }

    /// <summary>A write of this sector returned: a flush after it makes it the only value.</summary>
    public void WriteSucceeded() => _lastWriteFailed = false;

    /// <summary>After closing without a flush and reopening: reads see <paramref name="observed"/> (one of the allowed values).</summary>
    public void Reread(ulong observed)
    {
        Current = observed;
        _lastWriteFailed = false;
    }

    public void MarkDurable()
    {
        Durable = Current;
        After = null;
        if (!_lastWriteFailed) Uncertain = null;
    }

    public bool Allows(ulong observed)
    {
        if (observed == Durable) return true;
        return (After is not null && After.Contains(observed)) || (Uncertain is not null && Uncertain.Contains(observed));
    }

    public SectorHistory Clone()
    {
        var copy = new SectorHistory(Durable) { Current = Current, _lastWriteFailed = _lastWriteFailed };
        if (After is not null) copy.After = [.. After];
        if (Uncertain is not null) copy.Uncertain = [.. Uncertain];
        return copy;
    }
}
