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

    /// <summary>
    /// <paramref name="text"/>, cut so its UTF-8 fits the limit (a UTF-16 unit takes at most 3
    /// bytes, a surrogate pair 4 for 2 units, so MaxBytes / 3 units always fit).
    /// </summary>
    public static string Clip(string text)
    {
        if (text.Length <= MaxBytes / 3 || Encoding.UTF8.GetByteCount(text) <= MaxBytes) return text;
        int n = MaxBytes / 3;
        if (char.IsHighSurrogate(text[n - 1])) n--;
        return text[..n];
    }
}
