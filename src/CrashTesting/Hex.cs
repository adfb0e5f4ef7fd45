namespace Storage.CrashTesting;

/// <summary>Bytes as hex for messages and reports.</summary>
internal static class Hex
{
    /// <summary>The first bytes in hex, grouped by 4, with an ellipsis when there are more.</summary>
    public static string Preview(ReadOnlySpan<byte> bytes, int count = 24)
    {
        var text = new System.Text.StringBuilder();
        int n = Math.Min(count, bytes.Length);
        for (int i = 0; i < n; i++)
        {
            if (i > 0 && i % 4 == 0) text.Append(' ');
            text.Append(bytes[i].ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        }

        if (bytes.Length > n) text.Append(" ...");
        if (!bytes.ContainsAnyExcept((byte)0)) return $"zeros ({bytes.Length} bytes)";
        return text.ToString();
    }
}
