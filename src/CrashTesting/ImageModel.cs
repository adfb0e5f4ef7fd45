using System.Globalization;
using System.Text;

namespace Storage.CrashTesting;

/// <summary>
/// The model of what one image's virtual disk may read after a crash, sector by sector (sparse:
/// a sector never mentioned reads zeros). Writes add candidates; <see cref="MarkDurable"/>, called
/// when a disk-level <c>Flush()</c> returned, makes the latest value the only one allowed.
/// </summary>
internal sealed class ImageModel
{
    private readonly Dictionary<long, SectorHistory> _sectors;
    private readonly HashSet<long> _pending = [];

    public ImageModel(long length, int blockSize)
    {
        Length = length;
        BlockSize = blockSize;
        _sectors = [];
    }

    private ImageModel(ImageModel other)
    {
        Length = other.Length;
        FormerLengths = other.FormerLengths;
        BlockSize = other.BlockSize;
        _sectors = new Dictionary<long, SectorHistory>(other._sectors.Count);
        foreach (var (sector, history) in other._sectors) _sectors[sector] = history.Clone();
        _pending = [.. other._pending];
    }

    /// <summary>Virtual size in bytes.</summary>
    public long Length { get; private set; }

    /// <summary>While resizes run (and the recoveries of interrupted ones), the sizes before them: a crash may leave any.</summary>
    public IReadOnlyList<long> FormerLengths { get; private set; } = [];

    /// <summary>Block size of the image (0 for fixed images).</summary>
    public int BlockSize { get; }

    /// <summary>Number of virtual sectors.</summary>
    public long SectorCount => Length / SectorCodec.SectorSize;

    /// <summary>Sectors with any history (everything else must read zeros).</summary>
    public IReadOnlyDictionary<long, SectorHistory> Sectors => _sectors;

    /// <summary>True while some write is not covered by a completed flush.</summary>
    public bool HasPending => _pending.Count > 0;

    /// <summary>The value a read sees now.</summary>
    public ulong Current(long sector) => _sectors.TryGetValue(sector, out var h) ? h.Current : 0;

    /// <summary>Records a write of <paramref name="key"/> to <paramref name="sector"/> (not durable yet).</summary>
    public void Write(long sector, ulong key)
    {
        if (!_sectors.TryGetValue(sector, out var history))
        {
            history = new SectorHistory(0);
            _sectors[sector] = history;
        }

        history.Write(key);
        _pending.Add(sector);
    }

    /// <summary>The engine call that wrote <paramref name="sector"/> returned (true) or threw (false).</summary>
    public void WriteCompleted(long sector, bool succeeded)
    {
        var history = _sectors[sector];
        if (succeeded) history.WriteSucceeded();
        else history.WriteFailed();
    }

    /// <summary>A resize to <paramref name="length"/> starts: until <see cref="EndResize"/>, the old sizes are allowed too.</summary>
    public void BeginResize(long length)
    {
        FormerLengths = [.. FormerLengths, Length];
        Length = length;
    }

    /// <summary>The resize returned: only the new size is allowed.</summary>
    public void EndResize() => FormerLengths = [];

    /// <summary>A disk-level flush returned: every value written so far is durable.</summary>
    public void MarkDurable()
    {
        foreach (long sector in _pending) _sectors[sector].MarkDurable();
        _pending.Clear();
    }

    /// <summary>
    /// Resolves pending sectors to what <paramref name="view"/> reads (set-up only: after a deliberate
    /// crash, the state the workload starts from is whatever the crash left). Returns a problem or null.
    /// </summary>
    public string? Settle(DiskView view)
    {
        if (Verify(view) is { } mismatch) return mismatch;
        foreach (long sector in _pending)
        {
            var history = _sectors[sector];
            history.Write(view.Get(sector));
            history.MarkDurable();
        }

        _pending.Clear();
        return null;
    }

    /// <summary>
    /// The disk is closed without a flush: until it is reopened and read, nothing says which unflushed
    /// writes it will read back, so each is as uncertain as a failed write.
    /// </summary>
    public void Abandon()
    {
        foreach (long sector in _pending) _sectors[sector].WriteFailed();
    }

    /// <summary>
    /// After the disk was closed without a flush and reopened: unflushed writes may or may not read
    /// back (an in-place write does, a new block's does not, its BAT entry was never written), so
    /// the latest value of each pending sector becomes what <paramref name="view"/> reads; a crash
    /// may still leave any candidate until the next flush. Returns a problem or null.
    /// </summary>
    public string? Reread(DiskView view)
    {
        if (Verify(view) is { } mismatch) return mismatch;
        foreach (long sector in _pending) _sectors[sector].Reread(view.Get(sector));
        return null;
    }

    /// <summary>True when no write ever touched the block (so it is a place for a fresh write).</summary>
    public bool BlockUntouched(long block, int blockBytes)
    {
        long first = block * blockBytes / SectorCodec.SectorSize;
        long count = blockBytes / SectorCodec.SectorSize;
        for (long s = first; s < first + count; s++)
            if (_sectors.ContainsKey(s)) return false;
        return true;
    }

    /// <summary>A deep copy (for a child that starts as its parent's view, or a reusable template).</summary>
    public ImageModel Clone() => new(this);

    /// <summary>The first <paramref name="max"/> sectors <paramref name="view"/> reads and the model does not allow, each with the durable value expected.</summary>
    public List<(long Sector, ulong Observed, ulong Expected)> Mismatches(DiskView view, int max)
    {
        var found = new List<(long, ulong, ulong)>();
        foreach (var (sector, history) in _sectors.OrderBy(p => p.Key))
        {
            if (found.Count >= max) return found;
            if (sector < SectorCount && !history.Allows(view.Get(sector))) found.Add((sector, view.Get(sector), history.Durable));
        }

        foreach (var (sector, observed) in view.NonZero.OrderBy(p => p.Key))
        {
            if (found.Count >= max) break;
            if (!_sectors.ContainsKey(sector)) found.Add((sector, observed, 0));
        }

        return found;
    }

    /// <summary>
    /// Compares an observed view with the model; returns null when every sector is allowed, else a
    /// message naming the first few offending sectors.
    /// </summary>
    public string? Verify(DiskView view)
    {
        StringBuilder? problems = null;
        int count = 0;
        void Problem(long sector, ulong observed, string expected)
        {
            count++;
            if (count > 4) return;
            problems ??= new StringBuilder();
            problems.Append(CultureInfo.InvariantCulture, $"\n    sector {sector} (byte {sector * SectorCodec.SectorSize}) reads {SectorCodec.Describe(observed, sector)}{view.Detail(sector)}, expected {expected}");
        }

        foreach (var (sector, history) in _sectors)
        {
            if (sector >= SectorCount) continue;
            ulong observed = view.Get(sector);
            if (!history.Allows(observed)) Problem(sector, observed, Expected(sector, history));
        }

        foreach (var (sector, observed) in view.NonZero)
        {
            if (!_sectors.ContainsKey(sector)) Problem(sector, observed, "zeros (never written)");
        }

        if (problems is null) return null;
        if (count > 4) problems.Append(CultureInfo.InvariantCulture, $"\n    ... {count - 4} more sectors");
        return string.Create(CultureInfo.InvariantCulture, $"{count} sector(s) read values nobody allowed:{problems}");
    }

    private static string Expected(long sector, SectorHistory history)
    {
        var text = new StringBuilder(SectorCodec.Describe(history.Durable, sector));
        text.Append(history.IsPending ? " (durable)" : " (flushed)");
        foreach (ulong v in (history.After ?? []).Concat(history.Uncertain ?? []).Distinct().Where(v => v != history.Durable))
            text.Append(" or ").Append(SectorCodec.Describe(v, sector));
        if (history.Uncertain is not null) text.Append(" (a write there failed)");

        return text.ToString();
    }
}
