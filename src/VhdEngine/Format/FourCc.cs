using System.Text;

namespace Storage.VhdEngine.Format;

/// <summary>Four ASCII bytes stored as a big-endian u32 (creator application, host OS, locator codes).</summary>
internal static class FourCc
{
    /// <summary>Packs up to four ASCII characters (NUL-padded).</summary>
    public static uint FromText(string text)
    {
        uint v = 0;
        for (int i = 0; i < 4; i++)
            v = (v << 8) | (i < text.Length ? (byte)text[i] : (byte)0);
        return v;
    }

    /// <summary>Unpacks to text, showing NUL and other non-printable bytes as escapes.</summary>
    public static string ToText(uint value)
    {
        var sb = new StringBuilder(8);
        for (int shift = 24; shift >= 0; shift -= 8)
        {
            byte c = (byte)(value >> shift);
            if (c == 0) sb.Append("\\0");
            else if (c is >= 0x20 and < 0x7F) sb.Append((char)c);
            else sb.Append($"\\x{c:x2}");
        }
        return sb.ToString();
    }
}
