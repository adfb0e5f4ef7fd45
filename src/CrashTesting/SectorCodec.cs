using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Storage.CrashTesting;

/// <summary>
/// Turns 512-byte sector contents into 64-bit keys and back, so the model and the verifier
/// compare numbers instead of bytes. A stamped sector (what the workloads write) is one 64-bit
/// value <c>(writeId &lt;&lt; 32) | virtualSector</c> repeated 64 times: distinct per write and per
/// sector, never zero, and cheap to recognise. A sector of zeros is key 0. Anything else (a
/// partial-sector write merged with older bytes, or garbage such as footer or BAT bytes) gets a
/// hash key with the top bit set; the model registers the contents it produces itself, so it can
/// merge a later partial write with them.
/// </summary>
internal sealed class SectorCodec
{
    /// <summary>The sector size of the model.</summary>
    public const int SectorSize = 512;

    private const ulong MixedBit = 1UL << 63;

    private readonly Dictionary<ulong, byte[]> _mixed = [];
    private readonly Lock _gate = new();

    /// <summary>The key of a stamped sector.</summary>
    public static ulong Stamp(int writeId, long sector)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(writeId, 1);
        return ((ulong)(uint)writeId << 32) | (uint)sector;
    }

    /// <summary>True for keys that are stamps (not zeros, not mixed contents).</summary>
    public static bool IsStamp(ulong key) => key != 0 && (key & MixedBit) == 0;

    /// <summary>The key of <paramref name="sector"/>'s contents (pure: registers nothing).</summary>
    public static ulong Decode(ReadOnlySpan<byte> sector)
    {
        ReadOnlySpan<ulong> words = MemoryMarshal.Cast<byte, ulong>(sector[..SectorSize]);
        ulong first = words[0];
        if (words.IndexOfAnyExcept(first) < 0)
        {
            if (first == 0 || (first & MixedBit) == 0) return first;
        }

        return Hash(words);
    }

    /// <summary>Writes the contents of <paramref name="key"/> into <paramref name="destination"/> (512 bytes).</summary>
    public void Encode(ulong key, Span<byte> destination)
    {
        Span<byte> sector = destination[..SectorSize];
        if ((key & MixedBit) == 0)
        {
            MemoryMarshal.Cast<byte, ulong>(sector).Fill(key);
            return;
        }

        lock (_gate)
        {
            if (!_mixed.TryGetValue(key, out byte[]? bytes))
                throw new InvalidOperationException($"mixed sector key 0x{key:x16} was never produced by the model");
            bytes.CopyTo(sector);
        }
    }

    /// <summary>The key of <paramref name="sector"/>, remembering mixed contents so they can be encoded later.</summary>
    public ulong Register(ReadOnlySpan<byte> sector)
    {
        ulong key = Decode(sector);
        if ((key & MixedBit) != 0)
        {
            lock (_gate)
            {
                _mixed.TryAdd(key, sector[..SectorSize].ToArray());
            }
        }

        return key;
    }

    /// <summary>A readable description of a key found (or expected) at virtual sector <paramref name="at"/>.</summary>
    public static string Describe(ulong key, long at)
    {
        if (key == 0) return "zeros";
        if ((key & MixedBit) != 0) return string.Create(CultureInfo.InvariantCulture, $"mixed bytes #{key & ~MixedBit:x}");
        uint id = (uint)(key >> 32);
        uint sector = (uint)key;
        return sector == (uint)at
            ? string.Create(CultureInfo.InvariantCulture, $"write {id}")
            : string.Create(CultureInfo.InvariantCulture, $"write {id} of sector {sector} (another sector's data)");
    }

    /// <summary>The first bytes of a sector in hex, for failure messages about garbage.</summary>
    public static string Hex(ReadOnlySpan<byte> sector, int count = 16) => Convert.ToHexString(sector[..Math.Min(count, sector.Length)]);

    private static ulong Hash(ReadOnlySpan<ulong> words)
    {
        ulong h = 0x9E3779B97F4A7C15UL;
        foreach (ulong w in words)
        {
            h ^= w;
            h *= 0xBF58476D1CE4E5B9UL;
            h = BitOperations.RotateLeft(h, 29);
        }

        h ^= h >> 31;
        h *= 0x94D049BB133111EBUL;
        h ^= h >> 29;
        return (h | MixedBit) == MixedBit ? MixedBit | 1 : h | MixedBit;
    }
}
