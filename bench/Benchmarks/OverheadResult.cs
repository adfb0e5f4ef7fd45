using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Storage.Benchmarks;

/// <summary>
/// Latency of the direct and the facade path (all rounds pooled), for reads and writes, and the
/// overhead (facade minus direct, paired by round, median over the rounds).
/// </summary>
public sealed record OverheadResult(int Requests, Stats DirectRead, Stats FacadeRead, Stats ReadOverhead, Stats DirectWrite, Stats FacadeWrite, Stats WriteOverhead)
{
    /// <summary>Human-readable lines.</summary>
    public string ToText()
    {
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"{Requests} requests of 4 KiB per path, interleaved in rounds");
        Line(s, "read", DirectRead, FacadeRead, ReadOverhead);
        Line(s, "write", DirectWrite, FacadeWrite, WriteOverhead);
        return s.ToString().TrimEnd();
    }

    private static void Line(StringBuilder s, string what, Stats direct, Stats facade, Stats overhead) =>
        s.AppendLine(CultureInfo.InvariantCulture,
            $"{what,-6} direct p50 {direct.P50Us,7:0.00} us p99 {direct.P99Us,8:0.00} us | IDisk p50 {facade.P50Us,7:0.00} us p99 {facade.P99Us,8:0.00} us | overhead p50 {overhead.P50Us,7:0.00} us p99 {overhead.P99Us,8:0.00} us");

    /// <summary>One JSON object for scripts.</summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("requests", Requests);
            Write(w, "read", DirectRead, FacadeRead, ReadOverhead);
            Write(w, "write", DirectWrite, FacadeWrite, WriteOverhead);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Write(Utf8JsonWriter w, string name, Stats direct, Stats facade, Stats overhead)
    {
        w.WriteStartObject(name);
        w.WriteNumber("directP50Us", Math.Round(direct.P50Us, 3));
        w.WriteNumber("directP99Us", Math.Round(direct.P99Us, 3));
        w.WriteNumber("facadeP50Us", Math.Round(facade.P50Us, 3));
        w.WriteNumber("facadeP99Us", Math.Round(facade.P99Us, 3));
        w.WriteNumber("overheadP50Us", Math.Round(overhead.P50Us, 3));
        w.WriteNumber("overheadP99Us", Math.Round(overhead.P99Us, 3));
        w.WriteEndObject();
    }
}
