namespace Storage.CrashTesting.Harness;

/// <summary>
/// What one 512-byte sector may read: per byte, the value of the last durable write covering it, or of
/// any write after that one; bytes no durable write covers are not promised.
/// </summary>
internal sealed class SectorPromise
{
    public const int Size = 512;

    private readonly List<(int From, byte[] Bytes, bool Durable)> _writes = [];

    /// <summary>Adds the part of a write that falls in this sector: bytes at <paramref name="from"/> of the sector.</summary>
    public void Add(int from, byte[] bytes, bool durable) => _writes.Add((from, bytes, durable));

    public bool HasDurable => _writes.Exists(w => w.Durable);

    /// <summary>True when <paramref name="actual"/> is allowed; <paramref name="expected"/> gets the durable values (actual bytes where nothing is promised).</summary>
    public bool Check(ReadOnlySpan<byte> actual, Span<byte> expected)
    {
        actual.CopyTo(expected);
        bool ok = true;
        for (int b = 0; b < actual.Length; b++)
        {
            int last = LastDurable(b);
            if (last < 0) continue;
            expected[b] = ValueAt(last, b);
            if (actual[b] == expected[b]) continue;
            bool later = false;
            for (int i = last + 1; i < _writes.Count && !later; i++)
                later = Covers(i, b) && ValueAt(i, b) == actual[b];
            ok &= later;
        }

        return ok;
    }

    private int LastDurable(int b)
    {
        for (int i = _writes.Count - 1; i >= 0; i--)
        {
            if (_writes[i].Durable && Covers(i, b)) return i;
        }

        return -1;
    }

    private bool Covers(int i, int b) => b >= _writes[i].From && b < _writes[i].From + _writes[i].Bytes.Length;

    private byte ValueAt(int i, int b) => _writes[i].Bytes[b - _writes[i].From];
}
