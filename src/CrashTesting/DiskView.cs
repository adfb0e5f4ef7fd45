using System.Globalization;
using Storage.VhdEngine.Disks;

namespace Storage.CrashTesting;

/// <summary>
/// What an open disk reads, as one key per non-zero virtual sector (see <see cref="SectorCodec"/>).
/// Ranges that no file of its chain holds data in are not read: the engine answers them with
/// zeros by construction, and skipping them keeps huge sample disks cheap.
/// </summary>
internal sealed class DiskView
{
    private const int ChunkBytes = 512 * 1024;

    [ThreadStatic]
    private static byte[]? t_buffer;

    private readonly Dictionary<long, ulong> _nonZero = [];
    private Dictionary<long, string>? _details;

    private DiskView(long length) => Length = length;

    /// <summary>Virtual size of the disk read.</summary>
    public long Length { get; }

    /// <summary>Every sector that is not all zeros, with its key.</summary>
    public IReadOnlyDictionary<long, ulong> NonZero => _nonZero;

    /// <summary>The key read at <paramref name="sector"/>.</summary>
    public ulong Get(long sector) => _nonZero.TryGetValue(sector, out ulong key) ? key : 0;

    /// <summary>For a sector holding unrecognised bytes, their first bytes in hex (else empty).</summary>
    public string Detail(long sector) =>
        _details is not null && _details.TryGetValue(sector, out string? hex) ? $" [{hex}...]" : string.Empty;

    /// <summary>
    /// Reads the whole virtual disk, skipping the ranges no file of its chain holds data in (the
    /// engine's <see cref="VirtualDisk.MayContainData"/>): asked a block at a time (at least a chunk).
    /// </summary>
    public static DiskView Read(VirtualDisk disk)
    {
        var view = new DiskView(disk.Length);
        byte[] buffer = t_buffer ??= new byte[ChunkBytes];
        long stride = Math.Max(ChunkBytes, disk.BlockSize);
        for (long start = 0; start < disk.Length; start += stride)
        {
            long end = Math.Min(disk.Length, start + stride);
            if (!disk.MayContainData(start, end - start)) continue;
            for (long offset = start; offset < end; offset += ChunkBytes)
            {
                int n = (int)Math.Min(ChunkBytes, end - offset);
                disk.Read(offset, buffer.AsSpan(0, n));
                view.Decode(offset, buffer.AsSpan(0, n));
            }
        }

        return view;
    }

    /// <summary>Records the non-zero sectors of <paramref name="chunk"/>, read at <paramref name="offset"/>.</summary>
    private void Decode(long offset, ReadOnlySpan<byte> chunk)
    {
        int at = 0;
        while (at + SectorCodec.SectorSize <= chunk.Length)
        {
            // Most of a block reads zeros: skip them with one vectorized scan, not a call per sector.
            int nonZero = chunk[at..].IndexOfAnyExcept((byte)0);
            if (nonZero < 0) break;
            at += nonZero / SectorCodec.SectorSize * SectorCodec.SectorSize;
            if (at + SectorCodec.SectorSize > chunk.Length) break;
            var sector = chunk.Slice(at, SectorCodec.SectorSize);
            at += SectorCodec.SectorSize;
            ulong key = SectorCodec.Decode(sector);
            if (key == 0) continue;
            long index = (offset + at) / SectorCodec.SectorSize - 1;
            _nonZero[index] = key;
            if (!SectorCodec.IsStamp(key)) (_details ??= [])[index] = SectorCodec.Hex(sector);
        }
    }

    /// <summary>
    /// Null when both views read the same everywhere except in <paramref name="ignoreFrom"/> ..
    /// <paramref name="ignoreTo"/> (sectors, exclusive), else a message naming the first differences.
    /// </summary>
    public string? Difference(DiskView other, long ignoreFrom = 0, long ignoreTo = 0)
    {
        if (other.Length != Length)
            return string.Create(CultureInfo.InvariantCulture, $"virtual size changed from {Length} to {other.Length}");
        var diffs = new List<string>();
        int count = 0;
        void Check(long sector)
        {
            if (sector >= ignoreFrom && sector < ignoreTo) return;
            ulong a = Get(sector);
            ulong b = other.Get(sector);
            if (a == b) return;
            count++;
            if (diffs.Count < 4)
                diffs.Add(string.Create(CultureInfo.InvariantCulture, $"sector {sector}: {SectorCodec.Describe(a, sector)} became {SectorCodec.Describe(b, sector)}{other.Detail(sector)}"));
        }

        foreach (long sector in _nonZero.Keys) Check(sector);
        foreach (long sector in other._nonZero.Keys)
            if (!_nonZero.ContainsKey(sector)) Check(sector);
        return count == 0 ? null : string.Create(CultureInfo.InvariantCulture, $"{count} sector(s) changed: {string.Join("; ", diffs)}");
    }
}
