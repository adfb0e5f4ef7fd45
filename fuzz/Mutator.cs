using System.Buffers.Binary;
using Storage.VhdEngine.Format;

namespace Storage.Fuzz;

/// <summary>
/// Structure-aware byte mutations for the in-process loop: bit flips, interesting values written
/// big-endian at field boundaries (most of them in the footer, header and BAT), truncation,
/// extension, chunk copies and splices; half the time the checksums are fixed up afterwards.
/// </summary>
public sealed class Mutator(Random random)
{
    private static readonly ulong[] Interesting =
    [
        0, 1, 2, 0x7F, 0x80, 0xFF, 0x100, 0x1FF, 0x200, 0x201, 0x3FF, 0x400, 0xFFFF, 0x10000, 0x1000_0000,
        0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFE, 0xFFFF_FFFF, 0x1_0000_0000, 1UL << 41, 2041UL << 30,
        0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, ulong.MaxValue, ulong.MaxValue - 511,
    ];

    /// <summary>One to four mutations of <paramref name="input"/>, then maybe checksum fix-up.</summary>
    public byte[] Mutate(byte[] input, IReadOnlyList<byte[]> pool)
    {
        var b = (byte[])input.Clone();
        int count = 1 + random.Next(4);
        for (int i = 0; i < count; i++) b = MutateOnce(b, pool);
        if (random.Next(2) == 0) b = ChecksumFixer.FixAll(b);
        return b;
    }

    private int Offset(byte[] b)
    {
        // Aim at metadata: the first 2 KiB (footer copy, header, BAT start), the end footer, or anywhere.
        return random.Next(3) switch
        {
            0 => random.Next(Math.Min(b.Length, 2048)),
            1 => Math.Max(0, b.Length - 1 - random.Next(Math.Min(b.Length, 512))),
            _ => random.Next(b.Length),
        };
    }

    private byte[] MutateOnce(byte[] b, IReadOnlyList<byte[]> pool)
    {
        if (b.Length == 0) return random.Next(2) == 0 && pool.Count > 0 ? (byte[])pool[random.Next(pool.Count)].Clone() : new byte[random.Next(1024)];
        switch (random.Next(10))
        {
            case 0:
            case 1:
                { int o = Offset(b); b[o] ^= (byte)(1 << random.Next(8)); return b; }
            case 2:
                { int o = Offset(b); b[o] = (byte)random.Next(256); return b; }
            case 3:
            case 4:
                {
                    int width = random.Next(3) switch { 0 => 2, 1 => 4, _ => 8 };
                    int o = Offset(b) & ~(width - 1);
                    if (o + width > b.Length) return b;
                    ulong v = Interesting[random.Next(Interesting.Length)];
                    if (random.Next(4) == 0) v = (ulong)(random.NextInt64(0, Math.Max(1, b.Length * 2)));
                    if (random.Next(4) == 0) v = v / VhdConstants.SectorSize; // as a sector number
                    switch (width)
                    {
                        case 2: BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(o), (ushort)v); break;
                        case 4: BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(o), (uint)v); break;
                        default: BinaryPrimitives.WriteUInt64BigEndian(b.AsSpan(o), v); break;
                    }
                    return b;
                }
            case 5:
                {
                    // Truncate, by a few bytes or many.
                    int cut = random.Next(2) == 0 ? random.Next(1, 1024) : random.Next(b.Length + 1);
                    return b[..Math.Max(0, b.Length - cut)];
                }
            case 6:
                {
                    // Extend with zeros or a copy of the last 512 bytes (a second footer).
                    int add = random.Next(1, 4096);
                    var r = new byte[b.Length + add];
                    b.CopyTo(r, 0);
                    if (random.Next(2) == 0 && b.Length >= 512) b.AsSpan(b.Length - 512).CopyTo(r.AsSpan(r.Length - 512));
                    return r;
                }
            case 7:
                {
                    // Copy a chunk over another place (sector aligned half the time).
                    int len = random.Next(1, Math.Min(b.Length, 1024) + 1);
                    int from = random.Next(b.Length - len + 1);
                    int to = random.Next(b.Length - len + 1);
                    if (random.Next(2) == 0) { from &= ~511; to &= ~511; len = Math.Min(len, b.Length - Math.Max(from, to)); }
                    Buffer.BlockCopy(b, from, b, to, len);
                    return b;
                }
            case 8:
                {
                    // Splice: our head, another input's tail.
                    if (pool.Count == 0) return b;
                    var other = pool[random.Next(pool.Count)];
                    int cutA = random.Next(b.Length + 1), cutB = random.Next(other.Length + 1);
                    return [.. b.AsSpan(0, cutA), .. other.AsSpan(cutB)];
                }
            default:
                {
                    // A run of one value.
                    int o = Offset(b);
                    int len = Math.Min(b.Length - o, random.Next(1, 64));
                    b.AsSpan(o, len).Fill(random.Next(2) == 0 ? (byte)0 : (byte)0xFF);
                    return b;
                }
        }
    }
}
