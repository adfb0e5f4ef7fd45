using System.Diagnostics;
using Storage.VhdEngine.Disks;
using Storage.VhdNbd.Protocol;

namespace Storage.VhdNbd;

/// <summary>
/// One span per NBD request on the store's ActivitySource ("Storage.Vhd"), named nbd.&lt;command&gt;,
/// with the export, command, offset and length; the store's vhd.* spans of the same request are its
/// children. Nothing is created when no one listens.
/// </summary>
internal static class NbdTelemetry
{
    // Same name as the engine's and the store's sources, so one subscription sees the whole request.
    private static readonly ActivitySource Source = new(VirtualDisk.TelemetryName, "1.0.0");
    private static readonly string[] Commands = ["read", "write", "disc", "flush", "trim", "cache", "write_zeroes", "block_status"];
    private static readonly string[] SpanNames = [.. Commands.Select(c => "nbd." + c)];

    public static Activity? StartRequest(string export, in NbdRequest request)
    {
        var source = Source;
        if (!source.HasListeners()) return null;
        int index = (int)request.Command;
        bool known = index < Commands.Length;
        var activity = source.StartActivity(known ? SpanNames[index] : "nbd.unknown", ActivityKind.Server);
        if (activity is null) return null;
        activity.SetTag("nbd.export", export);
        activity.SetTag("nbd.command", known ? Commands[index] : index.ToString(System.Globalization.CultureInfo.InvariantCulture));
        activity.SetTag("nbd.offset", (long)Math.Min(request.Offset, long.MaxValue));
        activity.SetTag("nbd.length", (long)request.Length);
        if (request.Flags != 0) activity.SetTag("nbd.flags", (int)request.Flags);
        return activity;
    }

    public static void Fail(Activity? activity, NbdError error, string message)
    {
        if (activity is null) return;
        activity.SetTag("nbd.error", error.ToString());
        activity.SetStatus(ActivityStatusCode.Error, message);
    }
}
