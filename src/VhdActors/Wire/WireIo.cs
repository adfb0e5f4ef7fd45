using System.Diagnostics;
using System.Runtime.Serialization;

namespace Storage.VhdActors.Wire;

/// <summary>
/// The primitives of the wire format (<see cref="ImageMessageSerializer"/>): strings, lists, byte
/// runs and the W3C trace context, with reads that check what they read.
/// </summary>
internal static class WireIo
{
    public static void WriteNullable(this BinaryWriter w, string? value)
    {
        w.Write(value is not null);
        if (value is not null) w.Write(value);
    }

    public static string? ReadNullable(this BinaryReader r) => r.ReadBoolean() ? r.ReadString() : null;

    public static void WriteStrings(this BinaryWriter w, IReadOnlyList<string> values)
    {
        w.Write(values.Count);
        foreach (string value in values) w.Write(value);
    }

    public static string[] ReadStrings(this BinaryReader r)
    {
        int count = r.ReadCount("list length");
        var values = new string[count];
        for (int i = 0; i < count; i++) values[i] = r.ReadString();
        return values;
    }

    /// <summary>A count or length: not negative and not more than the bytes left (every item takes at least one).</summary>
    public static int ReadCount(this BinaryReader r, string field)
    {
        int count = r.ReadInt32();
        long left = r.BaseStream.Length - r.BaseStream.Position;
        if (count < 0 || count > left) throw new SerializationException($"{field}: {count} (there are {left} bytes left)");
        return count;
    }

    /// <summary>A non-negative number (offsets, lengths, sizes).</summary>
    public static long ReadNonNegative(this BinaryReader r, string field)
    {
        long value = r.ReadInt64();
        return value >= 0 ? value : throw new SerializationException($"{field}: {value} is negative");
    }

    /// <summary>An enum value, checked to be one the enum defines.</summary>
    public static T ReadEnum<T>(this BinaryReader r, string field) where T : struct, Enum
    {
        int raw = r.ReadInt32();
        var value = (T)Enum.ToObject(typeof(T), raw);
        return Enum.IsDefined(value) ? value : throw new SerializationException($"{field}: {raw} is not a {typeof(T).Name}");
    }

    /// <summary>The trace context as a W3C traceparent string ("" for none) and its tracestate.</summary>
    public static void WriteTrace(this BinaryWriter w, ActivityContext context)
    {
        if (context == default)
        {
            w.Write("");
            return;
        }
        string flags = (context.TraceFlags & ActivityTraceFlags.Recorded) != 0 ? "01" : "00";
        w.Write($"00-{context.TraceId.ToHexString()}-{context.SpanId.ToHexString()}-{flags}");
        w.WriteNullable(context.TraceState);
    }

    public static ActivityContext ReadTrace(this BinaryReader r)
    {
        string traceParent = r.ReadString();
        if (traceParent.Length == 0) return default;
        string? traceState = r.ReadNullable();
        return ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var context)
            ? context
            : throw new SerializationException($"traceparent: '{traceParent}' is not a W3C traceparent");
    }
}
