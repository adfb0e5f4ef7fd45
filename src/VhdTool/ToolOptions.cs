using System.CommandLine;
using System.CommandLine.Parsing;
using Storage.VhdEngine.Disks;

namespace Storage.VhdTool;

/// <summary>
/// The options several commands share, and value parsers that report bad values as
/// "bad value for --name: 'text' (expected ...)": a parse error, so exit 2 with the usage line.
/// </summary>
internal static class ToolOptions
{
    /// <summary>A required positional argument shown as <paramref name="name"/> (IMAGE, CHILD, ...).</summary>
    public static Argument<string> Path(string name, string description) => new(name) { Description = description, HelpName = name };

    /// <summary>--json: machine-readable output.</summary>
    public static Option<bool> Json() => new("--json") { Description = "print JSON for scripts" };

    /// <summary>--ignore-checksums: <see cref="VhdOpenOptions.AcceptChecksumMismatch"/>, for read-only commands.</summary>
    public static Option<bool> IgnoreChecksums() => new("--ignore-checksums")
    {
        Description = "read images whose footer or header checksum is wrong (every other check still applies)",
    };

    /// <summary>
    /// --force-share: <see cref="VhdOpenOptions.ForceShare"/>, for read-only commands: read an image
    /// another process writes (qemu-img's -U), accepting that it may change while it is read.
    /// </summary>
    public static Option<bool> ForceShare() => new("--force-share", "-U")
    {
        Description = "read even while another process writes the image (what is read may be inconsistent)",
    };

    /// <summary>The open options for <paramref name="ignoreChecksums"/> and <paramref name="forceShare"/> (null: the defaults).</summary>
    public static VhdOpenOptions? OpenOptions(bool ignoreChecksums, bool forceShare = false) =>
        ignoreChecksums || forceShare ? new VhdOpenOptions { AcceptChecksumMismatch = ignoreChecksums, ForceShare = forceShare } : null;

    /// <summary>A byte count with K, M, G or T suffixes; null when absent.</summary>
    public static Option<long?> Size(string name, string description, string helpName = "SIZE", bool required = false) => new(name)
    {
        Description = description,
        HelpName = helpName,
        Required = required,
        CustomParser = r => ParseSize(r, name),
    };

    /// <summary>A whole number in [<paramref name="min"/>, <paramref name="max"/>] (size suffixes allowed), or <paramref name="fallback"/>.</summary>
    public static Option<long> Bounded(string name, string description, long fallback, long min, long max, params string[] aliases) => new(name, aliases)
    {
        Description = description,
        HelpName = "N",
        DefaultValueFactory = _ => fallback,
        CustomParser = r =>
        {
            long? value = ParseSize(r, name);
            if (value is { } v && (v < min || v > max)) r.AddError($"bad value for {name}: {v} (expected {min} to {max})");
            return value ?? fallback;
        },
    };

    /// <summary>One of <paramref name="choices"/> (any case); <paramref name="fallback"/> when absent (null: the option is required).</summary>
    public static Option<string> Choice(string name, string description, string? fallback, params string[] choices)
    {
        var option = new Option<string>(name)
        {
            Description = description,
            HelpName = string.Join('|', choices),
            Required = fallback is null,
            CustomParser = r =>
            {
                string text = Single(r);
                foreach (string c in choices)
                    if (string.Equals(c, text, StringComparison.OrdinalIgnoreCase)) return c;
                r.AddError($"bad value for {name}: '{text}' (expected {string.Join(", ", choices)})");
                return fallback ?? choices[0];
            },
        };
        if (fallback is not null) option.DefaultValueFactory = _ => fallback;
        return option;
    }

    private static long? ParseSize(ArgumentResult r, string name)
    {
        string text = Single(r);
        if (SizeParser.TryParse(text, out long value)) return value;
        r.AddError($"bad value for {name}: '{text}' (expected a whole number of bytes, optionally with K, M, G or T)");
        return null;
    }

    private static string Single(ArgumentResult r) => r.Tokens.Count == 0 ? string.Empty : r.Tokens[^1].Value;
}
