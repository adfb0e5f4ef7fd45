using System.Buffers.Binary;
using System.Text;

namespace Storage.Tests.Tool;

/// <summary>
/// One span of an OTLP ExportTraceServiceRequest, decoded with just enough of the protobuf wire
/// format (opentelemetry/proto/trace/v1/trace.proto field numbers) to check names, kinds,
/// nesting, attributes and status, plus the resource's attributes.
/// </summary>
public sealed record OtlpSpan(
    string TraceId, string SpanId, string ParentSpanId, string Name, int Kind, string Scope,
    IReadOnlyDictionary<string, object?> Attributes, IReadOnlyDictionary<string, object?> Resource,
    int StatusCode, string StatusMessage, ulong StartNanos, ulong EndNanos)
{
    public const int Internal = 1, Server = 2, Client = 3;
    public const int StatusError = 2;

    public static List<OtlpSpan> Parse(byte[] request)
    {
        var spans = new List<OtlpSpan>();
        foreach (var (field, resourceSpans) in Fields(request))
        {
            if (field != 1) continue; // resource_spans
            var resource = new Dictionary<string, object?>();
            foreach (var (f, v) in Fields(resourceSpans.Bytes))
                if (f == 1) foreach (var (g, kv) in Fields(v.Bytes)) if (g == 1) AddAttribute(resource, kv.Bytes);
            foreach (var (f, scopeSpans) in Fields(resourceSpans.Bytes))
            {
                if (f != 2) continue; // scope_spans
                string scope = "";
                foreach (var (g, v) in Fields(scopeSpans.Bytes))
                    if (g == 1) foreach (var (h, s) in Fields(v.Bytes)) if (h == 1) scope = s.Text;
                foreach (var (g, span) in Fields(scopeSpans.Bytes))
                    if (g == 2) spans.Add(ParseSpan(span.Bytes, scope, resource));
            }
        }
        return spans;
    }

    private static OtlpSpan ParseSpan(byte[] span, string scope, Dictionary<string, object?> resource)
    {
        string trace = "", id = "", parent = "", name = "", message = "";
        int kind = 0, code = 0;
        ulong start = 0, end = 0;
        var attributes = new Dictionary<string, object?>();
        foreach (var (f, v) in Fields(span))
        {
            switch (f)
            {
                case 1: trace = Convert.ToHexString(v.Bytes); break;
                case 2: id = Convert.ToHexString(v.Bytes); break;
                case 4: parent = Convert.ToHexString(v.Bytes); break;
                case 5: name = v.Text; break;
                case 6: kind = (int)v.Number; break;
                case 7: start = v.Number; break;
                case 8: end = v.Number; break;
                case 9: AddAttribute(attributes, v.Bytes); break;
                case 15:
                    foreach (var (g, s) in Fields(v.Bytes))
                    {
                        if (g == 2) message = s.Text;
                        if (g == 3) code = (int)s.Number;
                    }
                    break;
            }
        }
        return new OtlpSpan(trace, id, parent, name, kind, scope, attributes, resource, code, message, start, end);
    }

    private static void AddAttribute(Dictionary<string, object?> into, byte[] keyValue)
    {
        string key = "";
        object? value = null;
        foreach (var (f, v) in Fields(keyValue))
        {
            if (f == 1) key = v.Text;
            if (f != 2) continue;
            foreach (var (g, a) in Fields(v.Bytes))
            {
                value = g switch
                {
                    1 => a.Text,
                    2 => a.Number != 0,
                    3 => (long)a.Number,
                    4 => BitConverter.UInt64BitsToDouble(a.Number),
                    _ => value,
                };
            }
        }
        into[key] = value;
    }

    private readonly record struct Value(ulong Number, byte[] Bytes)
    {
        public string Text => Encoding.UTF8.GetString(Bytes);
    }

    private static List<(int Field, Value Value)> Fields(byte[] data)
    {
        var fields = new List<(int, Value)>();
        int i = 0;
        while (i < data.Length)
        {
            ulong key = Varint(data, ref i);
            int field = (int)(key >> 3);
            switch ((int)(key & 7))
            {
                case 0: fields.Add((field, new Value(Varint(data, ref i), []))); break;
                case 1: fields.Add((field, new Value(BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(i, 8)), []))); i += 8; break;
                case 5: fields.Add((field, new Value(BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(i, 4)), []))); i += 4; break;
                case 2:
                    int length = (int)Varint(data, ref i);
                    fields.Add((field, new Value(0, data.AsSpan(i, length).ToArray())));
                    i += length;
                    break;
                default: throw new InvalidDataException($"wire type {key & 7} at {i}");
            }
        }
        return fields;
    }

    private static ulong Varint(byte[] data, ref int i)
    {
        ulong result = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = data[i++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return result;
        }
    }
}
