using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Storage.VhdNbd.Protocol;

/// <summary>The protocol's strings: UTF-8, no NUL, at most 4096 bytes.</summary>
internal static class NbdStrings
{
    /// <summary>The longest string the protocol allows, in bytes.</summary>
    public const int MaxBytes = 4096;

    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Decodes a client's string; false when it is too long, not UTF-8, or holds a NUL.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out string? text)
    {
        text = null;
        if (bytes.Length > MaxBytes || bytes.Contains((byte)0)) return false;
        try
        {
            text = Strict.GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    /// <summary>The UTF-8 bytes of one of our strings.</summary>
    public static byte[] Encode(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>The longest prefix of <paramref name="text"/> whose UTF-8 fits the limit (never half a surrogate pair).</summary>
    public static string Clip(string text)
    {
        if (text.Length <= MaxBytes / 3) return text; // at most 3 bytes per UTF-16 unit: fits
        int bytes = 0, i = 0;
        while (i < text.Length)
        {
            bool pair = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
            int size = pair ? 4 : text[i] < 0x80 ? 1 : text[i] < 0x800 ? 2 : 3;
            if (bytes + size > MaxBytes) break;
            bytes += size;
            i += pair ? 2 : 1;
        }
        return i == text.Length ? text : text[..i];
    }
}
