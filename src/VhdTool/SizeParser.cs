using System.Globalization;

namespace Storage.VhdTool;

/// <summary>
/// Byte counts on the command line: a whole number with an optional binary suffix K, M, G or T
/// (case-insensitive), optionally followed by B or iB: 512, 512K, 2M, 2MB, 1GiB, 1t.
/// </summary>
public static class SizeParser
{
    /// <summary>Parses <paramref name="text"/>; false if it is not a size or does not fit a long.</summary>
    public static bool TryParse(string? text, out long value)
    {
        value = 0;
        if (string.IsNullOrEmpty(text)) return false;
        var s = text.AsSpan();
        int digits = 0;
        while (digits < s.Length && char.IsAsciiDigit(s[digits])) digits++;
        if (digits == 0) return false;
        var suffix = s[digits..];
        int shift = 0;
        if (suffix.Length > 0)
        {
            shift = char.ToUpperInvariant(suffix[0]) switch { 'K' => 10, 'M' => 20, 'G' => 30, 'T' => 40, _ => -1 };
            if (shift > 0) suffix = suffix[1..];
            else shift = 0;
            // After a multiplier "B" or "iB" may follow; a bare number may end in "B" (bytes).
            bool ok = suffix.Length == 0
                || suffix.Equals("B", StringComparison.OrdinalIgnoreCase)
                || (shift > 0 && suffix.Equals("iB", StringComparison.OrdinalIgnoreCase));
            if (!ok) return false;
        }
        if (!long.TryParse(s[..digits], NumberStyles.None, CultureInfo.InvariantCulture, out long number)) return false;
        if (number > long.MaxValue >> shift) return false;
        value = number << shift;
        return true;
    }

    /// <summary>Parses the value of <paramref name="option"/> or throws a <see cref="UsageException"/>.</summary>
    public static long Parse(string text, string option)
    {
        if (TryParse(text, out long value)) return value;
        throw new UsageException($"bad value for {option}: '{text}' (expected a whole number of bytes, optionally with K, M, G or T)");
    }
}
