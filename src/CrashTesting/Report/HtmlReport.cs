using System.Globalization;
using System.Net;
using System.Text;
using Storage.FaultInjection;

namespace Storage.CrashTesting.Report;

/// <summary>
/// The crash-test report as one self-contained HTML page (inline style, no script, no network): a
/// summary per workload, then every failure shown in detail: its replay token, the timeline of the
/// failing state (the workload's calls, writes and fsyncs; which pending pieces landed, dropped or
/// tore) and the sectors that read wrong, expected against got, in hex.
/// </summary>
internal static class HtmlReport
{
    private const string Style = """
        body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1b1f24;background:#fff}
        h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}h3{font-size:14px;margin:14px 0 6px}
        table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #d0d7de;padding:3px 8px;text-align:left;vertical-align:top}
        th{background:#f6f8fa}.num{text-align:right}.pass{color:#fff;background:#1a7f37;padding:1px 6px;border-radius:3px}
        .fail{color:#fff;background:#cf222e;padding:1px 6px;border-radius:3px}.muted{color:#57606a}
        code,pre,.hex{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px}pre{background:#f6f8fa;padding:8px;white-space:pre-wrap;margin:4px 0}
        details{border:1px solid #d0d7de;border-radius:6px;padding:6px 10px;margin:10px 0}summary{cursor:pointer;font-weight:600}
        .landed{background:#dafbe1}.dropped{background:#ffebe9}.torn{background:#fff8c5}.durable{color:#57606a}.crash{background:#cf222e;color:#fff;font-weight:600}
        .call td{background:#ddf4ff}.ack td{background:#fbefff}.p1{background:#2da44e;color:#fff;padding:0 2px}.p0{background:#cf222e;color:#fff;padding:0 2px}
        .hex td{border:none;padding:0 10px 0 0}.diff{background:#ffcecb;font-weight:700}
        """;

    public static string Render(string title, IReadOnlyList<ReportSection> sections, IReadOnlyList<string>? notes = null)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(E(title)).Append("</title><style>")
            .Append(Style).Append("</style></head><body>");
        Header(html, title, sections, notes ?? []);
        Summary(html, sections);
        foreach (var section in sections.Where(s => s.Failures.Count > 0))
        {
            html.Append("<h2>").Append(E(section.Name)).Append(CultureInfo.InvariantCulture, $": {section.FailureCount} failing state(s)");
            if (section.FailureCount > section.Failures.Count) html.Append(CultureInfo.InvariantCulture, $", the first {section.Failures.Count} shown");
            html.Append("</h2>");
            for (int i = 0; i < section.Failures.Count; i++) Failure(html, section.Failures[i], open: i == 0);
        }

        return html.Append("</body></html>").ToString();
    }

    private static void Header(StringBuilder html, string title, IReadOnlyList<ReportSection> sections, IReadOnlyList<string> notes)
    {
        long states = sections.Sum(s => s.StatesExplored);
        int failures = sections.Sum(s => s.FailureCount);
        var elapsed = TimeSpan.FromTicks(sections.Sum(s => s.Elapsed?.Ticks ?? 0));
        html.Append("<h1>").Append(E(title)).Append(' ').Append(failures == 0 ? "<span class=\"pass\">PASSED</span>" : "<span class=\"fail\">FAILED</span>").Append("</h1>");
        html.Append("<p class=\"muted\">").Append(CultureInfo.InvariantCulture, $"{sections.Count} workload(s), {states} crash states explored, {failures} failing");
        if (elapsed > TimeSpan.Zero) html.Append(CultureInfo.InvariantCulture, $", {elapsed.TotalSeconds:0.0} s ({states / Math.Max(elapsed.TotalSeconds, 1e-9):0} states/s)");
        html.Append(CultureInfo.InvariantCulture, $". Generated {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC.</p>");
        foreach (string note in notes) html.Append("<p class=\"muted\">").Append(E(note)).Append("</p>");
    }

    private static void Summary(StringBuilder html, IReadOnlyList<ReportSection> sections)
    {
        bool described = sections.Any(s => s.Description.Length > 0);
        html.Append("<table><tr><th>workload</th>").Append(described ? "<th>what it does</th>" : string.Empty)
            .Append("<th class=\"num\">crash points</th><th class=\"num\">states</th><th class=\"num\">skipped</th><th class=\"num\">failures</th><th></th></tr>");
        foreach (var s in sections)
        {
            html.Append("<tr><td><code>").Append(E(s.Name)).Append("</code></td>");
            if (described) html.Append("<td>").Append(E(s.Description)).Append("</td>");
            html.Append(CultureInfo.InvariantCulture, $"<td class=\"num\">{s.CrashPoints}</td><td class=\"num\">{s.StatesExplored}</td><td class=\"num\">{s.StatesSkipped}</td><td class=\"num\">{s.FailureCount}</td><td>")
                .Append(s.FailureCount == 0 ? "<span class=\"pass\">pass</span>" : "<span class=\"fail\">fail</span>").Append("</td></tr>");
        }

        html.Append("</table>");
    }

    private static void Failure(StringBuilder html, CrashTestFailure f, bool open)
    {
        html.Append(open ? "<details open>" : "<details>").Append("<summary>crash at <code>").Append(E(f.CrashPoint)).Append("</code>, state <code>")
            .Append(E(f.State)).Append("</code>: ").Append(E(FirstLine(f.Message))).Append("</summary>");
        html.Append("<p>replay token <code>").Append(E(f.ReplayToken)).Append("</code></p><pre>").Append(E(f.Message)).Append("</pre>");
        if (f.Acknowledged.Count > 0)
            html.Append("<p>acknowledged before the crash: ").Append(E(string.Join("; ", f.Acknowledged))).Append("</p>");
        if (f.Timeline.Count > 0) Timeline(html, f.Timeline);
        if (f.Mismatches.Count > 0) Mismatches(html, f.Mismatches);
        html.Append("</details>");
    }

    private static void Timeline(StringBuilder html, IReadOnlyList<CrashTimelineEntry> timeline)
    {
        html.Append("<h3>Timeline of this state</h3><table><tr><th class=\"num\">op</th><th>what happened</th><th>at the crash</th><th>pieces</th></tr>");
        foreach (var e in timeline)
        {
            string row = e.Kind switch { CrashTimelineKind.Call => " class=\"call\"", CrashTimelineKind.Acknowledgement => " class=\"ack\"", _ => string.Empty };
            html.Append("<tr").Append(row).Append(CultureInfo.InvariantCulture, $"><td class=\"num\">{e.OperationIndex}</td><td>").Append(E(e.Text)).Append("</td>");
            html.Append(Outcome(e)).Append("<td class=\"hex\">").Append(Pieces(e.Pieces)).Append("</td></tr>");
        }

        html.Append("</table><p class=\"muted\">A write's pieces: its length change first when it grew or cut the file, then one per 512-byte sector (1 reached the disk, 0 did not).</p>");
    }

    private static string Outcome(CrashTimelineEntry e) => e.Kind switch
    {
        CrashTimelineKind.Crash => "<td class=\"crash\">crash</td>",
        CrashTimelineKind.Call or CrashTimelineKind.Acknowledgement or CrashTimelineKind.Elided => "<td></td>",
        _ => e.Outcome switch
        {
            PendingChangeOutcome.Landed => "<td class=\"landed\">landed</td>",
            PendingChangeOutcome.Dropped => "<td class=\"dropped\">dropped</td>",
            PendingChangeOutcome.Torn => "<td class=\"torn\">torn</td>",
            _ => "<td class=\"durable\">durable</td>",
        },
    };

    private static string Pieces(string? pieces)
    {
        if (string.IsNullOrEmpty(pieces)) return string.Empty;
        var text = new StringBuilder();
        foreach (char c in pieces.Length > 64 ? pieces[..64] : pieces) text.Append(c == '1' ? "<span class=\"p1\">1</span>" : "<span class=\"p0\">0</span>");
        if (pieces.Length > 64) text.Append(CultureInfo.InvariantCulture, $" ... ({pieces.Length} pieces)");
        return text.ToString();
    }

    private static void Mismatches(StringBuilder html, IReadOnlyList<SectorMismatch> mismatches)
    {
        html.Append("<h3>Sectors that read wrong</h3>");
        foreach (var m in mismatches)
        {
            html.Append("<p><code>").Append(E(m.Image)).Append(CultureInfo.InvariantCulture, $"</code> at byte {m.Offset} (sector {m.Offset / 512})");
            if (m.What is not null) html.Append(": ").Append(E(m.What));
            html.Append("</p><table class=\"hex\"><tr><th>offset</th><th>expected</th><th></th><th>got</th><th></th></tr>");
            HexRows(html, m);
            html.Append("</table>");
        }
    }

    /// <summary>16 bytes a row, expected beside got; only rows that differ, differing bytes marked.</summary>
    private static void HexRows(StringBuilder html, SectorMismatch m)
    {
        int length = Math.Max(m.Expected.Length, m.Actual.Length);
        for (int row = 0; row < length; row += 16)
        {
            int end = Math.Min(length, row + 16);
            if (m.Expected.AsSpan(row, Math.Min(end, m.Expected.Length) - row).SequenceEqual(m.Actual.AsSpan(row, Math.Min(end, m.Actual.Length) - row))) continue;
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{m.Offset + row:x8}</td><td>");
            Bytes(html, m.Expected, m.Actual, row, end);
            html.Append("</td><td>").Append(E(Ascii(m.Expected, row, end))).Append("</td><td>");
            Bytes(html, m.Actual, m.Expected, row, end);
            html.Append("</td><td>").Append(E(Ascii(m.Actual, row, end))).Append("</td></tr>");
        }
    }

    private static void Bytes(StringBuilder html, byte[] bytes, byte[] other, int from, int to)
    {
        for (int i = from; i < to; i++)
        {
            string b = i < bytes.Length ? bytes[i].ToString("x2", CultureInfo.InvariantCulture) : "  ";
            bool differs = i >= bytes.Length || i >= other.Length || bytes[i] != other[i];
            html.Append(differs ? "<span class=\"diff\">" + b + "</span>" : b).Append(i % 4 == 3 ? "  " : " ");
        }
    }

    private static string Ascii(byte[] bytes, int from, int to)
    {
        var text = new StringBuilder(to - from);
        for (int i = from; i < Math.Min(to, bytes.Length); i++) text.Append(bytes[i] is >= 0x20 and < 0x7F ? (char)bytes[i] : '.');
        return text.ToString();
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0] is { Length: > 160 } line ? line[..160] + "..." : text.Split('\n', 2)[0];

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
