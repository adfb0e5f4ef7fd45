using System.Runtime.ExceptionServices;
using System.Runtime.Serialization;
using Storage.VhdEngine;

namespace Storage.VhdActors.Wire;

/// <summary>
/// Errors on the wire: the exception types a caller of the store can get (README, "Errors and
/// cancellation") arrive as the same type with the same message and properties (path, field, holder,
/// parameter name, ...), inner exceptions included, and the remote stack trace kept as the
/// exception's remote stack trace. Any other type arrives as a <see cref="VhdException"/> whose message
/// starts with the original type's name. A cancellation arrives without a token: tokens never travel.
/// </summary>
internal static class ExceptionWire
{
    // Inner exceptions deeper than this are dropped (a cycle or a pathological chain stays bounded).
    private const int MaxDepth = 8;

    public static void Write(BinaryWriter w, Exception e, int depth = 0)
    {
        string kind = Known(e) ? e.GetType().Name : "other";
        w.Write(kind);
        w.Write(kind == "other" ? $"{e.GetType().FullName}: {e.Message}" : RawMessage(e));
        WriteFields(w, e);
        w.WriteNullable(e.StackTrace);
        bool inner = e.InnerException is not null && depth < MaxDepth && kind is not ("ArgumentOutOfRangeException" or "ArgumentNullException" or "ObjectDisposedException" or "VhdFormatException");
        w.Write(inner);
        if (inner) Write(w, e.InnerException!, depth + 1);
    }

    public static Exception Read(BinaryReader r, int depth = 0)
    {
        if (depth > MaxDepth) throw new SerializationException($"exception: inner exceptions nested deeper than {MaxDepth}");
        string kind = r.ReadString();
        string message = r.ReadString();
        var fields = ReadFields(r, kind);
        string? stackTrace = r.ReadNullable();
        var inner = r.ReadBoolean() ? Read(r, depth + 1) : null;
        var e = Create(kind, message, fields, inner);
        if (stackTrace is not null) ExceptionDispatchInfo.SetRemoteStackTrace(e, stackTrace);
        return e;
    }

    // The types that keep their identity across the wire, by exact type (a subclass of one is another type: "other").
    private static readonly HashSet<Type> KnownTypes =
    [
        typeof(VhdException), typeof(VhdFormatException), typeof(VhdIOException), typeof(VhdImageInUseException),
        typeof(IOException), typeof(FileNotFoundException), typeof(DirectoryNotFoundException), typeof(UnauthorizedAccessException),
        typeof(ArgumentException), typeof(ArgumentOutOfRangeException), typeof(ArgumentNullException),
        typeof(NotSupportedException), typeof(ObjectDisposedException), typeof(InvalidOperationException),
        typeof(OperationCanceledException), typeof(TaskCanceledException), typeof(TimeoutException),
    ];

    private static bool Known(Exception e) => KnownTypes.Contains(e.GetType());

    /// <summary>The fields beyond the message, as strings and flags (one per slot; unused slots empty).</summary>
    private static void WriteFields(BinaryWriter w, Exception e)
    {
        switch (e)
        {
            case VhdFormatException f: w.Write(f.Path); w.Write(f.Field); break;
            case VhdIOException io: w.Write(io.DiskUsable); break;
            case VhdImageInUseException used: w.Write(used.Path); w.Write(used.ForWriting); w.WriteNullable(used.Holder); break;
            case ArgumentOutOfRangeException range: w.WriteNullable(range.ParamName); w.WriteNullable(range.ActualValue?.ToString()); break;
            case ArgumentException argument: w.WriteNullable(argument.ParamName); break;
            case ObjectDisposedException disposed: w.Write(disposed.ObjectName); break;
            case FileNotFoundException missing: w.WriteNullable(missing.FileName); break;
        }
    }

    private static object?[] ReadFields(BinaryReader r, string kind) => kind switch
    {
        "VhdFormatException" => [r.ReadString(), r.ReadString()],
        "VhdIOException" => [r.ReadBoolean()],
        "VhdImageInUseException" => [r.ReadString(), r.ReadBoolean(), r.ReadNullable()],
        "ArgumentOutOfRangeException" => [r.ReadNullable(), r.ReadNullable()],
        "ArgumentException" or "ArgumentNullException" => [r.ReadNullable()],
        "ObjectDisposedException" => [r.ReadString()],
        "FileNotFoundException" => [r.ReadNullable()],
        _ => [],
    };

    private static Exception Create(string kind, string message, object?[] f, Exception? inner) => kind switch
    {
        "VhdException" or "other" => new VhdException(message, inner),
        "VhdFormatException" => new VhdFormatException((string)f[0]!, (string)f[1]!, FormatTail(message, (string)f[0]!, (string)f[1]!)),
        "VhdIOException" => new VhdIOException(message, inner ?? new IOException(message), (bool)f[0]!),
        "VhdImageInUseException" => new VhdImageInUseException((string)f[0]!, (bool)f[1]!, (string?)f[2], inner),
        "IOException" => new IOException(message, inner),
        "FileNotFoundException" => new FileNotFoundException(message, (string?)f[0], inner),
        "DirectoryNotFoundException" => new DirectoryNotFoundException(message, inner),
        "ArgumentException" => new ArgumentException(message, (string?)f[0], inner),
        "ArgumentOutOfRangeException" => new ArgumentOutOfRangeException((string?)f[0], f[1], message),
        "ArgumentNullException" => new ArgumentNullException((string?)f[0], message),
        "NotSupportedException" => new NotSupportedException(message, inner),
        "ObjectDisposedException" => new ObjectDisposedException((string)f[0]!, message),
        "OperationCanceledException" => new OperationCanceledException(message, inner),
        "TaskCanceledException" => new TaskCanceledException(message, inner),
        "TimeoutException" => new TimeoutException(message, inner),
        "InvalidOperationException" => new InvalidOperationException(message, inner),
        "UnauthorizedAccessException" => new UnauthorizedAccessException(message, inner),
        _ => throw new SerializationException($"exception kind: '{kind}' is not one this version knows"),
    };

    /// <summary>
    /// The message as given to the constructor: the argument exceptions and <see cref="ObjectDisposedException"/>
    /// append the parameter name, actual value or object name to it in <see cref="Exception.Message"/>, and
    /// the constructor on the other side appends them again. Found by building the same exception around a marker.
    /// </summary>
    private static string RawMessage(Exception e)
    {
        const string marker = "\u0001";
        Exception? probe = e switch
        {
            ArgumentOutOfRangeException a => new ArgumentOutOfRangeException(a.ParamName, a.ActualValue?.ToString(), marker),
            ArgumentNullException a => new ArgumentNullException(a.ParamName, marker),
            ArgumentException a => new ArgumentException(marker, a.ParamName),
            ObjectDisposedException d => new ObjectDisposedException(d.ObjectName, marker),
            _ => null,
        };
        if (probe is null) return e.Message;
        string shape = probe.Message, message = e.Message;
        int at = shape.IndexOf(marker, StringComparison.Ordinal);
        string prefix = shape[..at], suffix = shape[(at + 1)..];
        return message.Length >= prefix.Length + suffix.Length && message.StartsWith(prefix, StringComparison.Ordinal) && message.EndsWith(suffix, StringComparison.Ordinal)
            ? message[prefix.Length..^suffix.Length]
            : message;
    }

    /// <summary>What <see cref="VhdFormatException"/>'s constructor put after "path: field: ".</summary>
    private static string FormatTail(string message, string path, string field)
    {
        string head = $"{path}: {field}: ";
        return message.StartsWith(head, StringComparison.Ordinal) ? message[head.Length..] : message;
    }
}
