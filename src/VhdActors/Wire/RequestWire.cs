using Storage.VhdActors.Messages;
using Storage.VhdEngine.Disks;

namespace Storage.VhdActors.Wire;

/// <summary>
/// The requests on the wire: path, arguments, and the caller's trace context as a W3C traceparent.
/// The caller's <see cref="CancellationToken"/> is not sent: a request that arrives from another node
/// has none (the caller's side checks its token before sending and stops waiting when it fires).
/// </summary>
internal static class RequestWire
{
    /// <summary>Manifest of each request type that may cross the wire.</summary>
    public static readonly IReadOnlyDictionary<Type, string> Manifests = new Dictionary<Type, string>
    {
        [typeof(OpenImage)] = "open", [typeof(CreateImage)] = "create", [typeof(CloseImage)] = "close",
        [typeof(ReadImage)] = "read", [typeof(WriteImage)] = "write", [typeof(DiscardImage)] = "discard",
        [typeof(FlushImage)] = "flush", [typeof(QueryAllocation)] = "allocation", [typeof(QueryInfo)] = "info",
        [typeof(LeaseImage)] = "lease", [typeof(SnapshotImage)] = "snapshot", [typeof(CommitImage)] = "commit",
        [typeof(CompactImage)] = "compact", [typeof(ResizeImage)] = "resize", [typeof(DeleteImage)] = "delete",
        [typeof(FreezeImage)] = "freeze", [typeof(RetireImage)] = "retire",
    };

    /// <summary>The manifests of <see cref="Manifests"/>: how the serializer tells a request from a reply.</summary>
    public static readonly IReadOnlySet<string> Names = Manifests.Values.ToHashSet();

    /// <summary>
    /// Writes everything but a write's bytes, which go last (the serializer appends them), so the
    /// receiver takes them from the message without a copy.
    /// </summary>
    public static void Write(BinaryWriter w, IImageRequest request)
    {
        w.Write(request.Path);
        switch (request)
        {
            case OpenImage m: w.Write((int)m.Access); break;
            case CreateImage m: WriteCreate(w, m.Options); break;
            case ReadImage m: w.Write(m.Offset); w.Write(m.Length); break;
            case WriteImage m: w.Write(m.Offset); break;
            case DiscardImage m: w.Write(m.Offset); w.Write(m.Length); break;
            case QueryAllocation m: w.Write(m.Offset); w.Write(m.Length); break;
            case SnapshotImage m: w.Write(m.ParentPath); break;
            case CommitImage m: w.Write(m.ParentPath); w.Write(m.KeepChild); w.Write(m.Force); break;
            case CompactImage m: w.Write(m.Force); break;
            case ResizeImage m: w.Write(m.Size); w.Write(m.AllowShrink); w.Write(m.Force); break;
        }
        w.WriteTrace(request.TraceContext);
    }

    /// <summary>Reads a request; <paramref name="bytes"/> is the whole message (a write's data is a slice of it).</summary>
    public static IImageRequest Read(BinaryReader r, string manifest, byte[] bytes)
    {
        string path = r.ReadString();
        return manifest switch
        {
            "open" => new OpenImage(path, r.ReadEnum<FileAccess>("access"), r.ReadTrace()),
            "create" => new CreateImage(path, ReadCreate(r), r.ReadTrace()),
            "close" => new CloseImage(path, r.ReadTrace()),
            "read" => new ReadImage(path, r.ReadNonNegative("offset"), ReadLength(r), r.ReadTrace()),
            "write" => ReadWrite(r, path, bytes),
            "discard" => new DiscardImage(path, r.ReadNonNegative("offset"), r.ReadNonNegative("length"), r.ReadTrace()),
            "flush" => new FlushImage(path, r.ReadTrace()),
            "allocation" => new QueryAllocation(path, r.ReadNonNegative("offset"), r.ReadNonNegative("length"), r.ReadTrace()),
            "info" => new QueryInfo(path, r.ReadTrace()),
            "lease" => new LeaseImage(path, r.ReadTrace()),
            "snapshot" => new SnapshotImage(path, r.ReadString(), r.ReadTrace()),
            "commit" => ReadCommit(r, path),
            "compact" => new CompactImage(path, r.ReadBoolean(), r.ReadTrace()),
            "resize" => new ResizeImage(path, r.ReadNonNegative("size"), r.ReadBoolean(), r.ReadBoolean(), r.ReadTrace()),
            "delete" => new DeleteImage(path, r.ReadTrace()),
            "freeze" => Traceless(r, new FreezeImage(path)),
            "retire" => Traceless(r, new RetireImage(path)),
            _ => throw new System.Runtime.Serialization.SerializationException($"manifest: '{manifest}' is not a request"),
        };
    }

    private static int ReadLength(BinaryReader r)
    {
        int length = r.ReadInt32();
        return length >= 0 ? length : throw new System.Runtime.Serialization.SerializationException($"length: {length} is negative");
    }

    private static WriteImage ReadWrite(BinaryReader r, string path, byte[] bytes)
    {
        long offset = r.ReadNonNegative("offset");
        var trace = r.ReadTrace();
        int start = checked((int)r.BaseStream.Position);
        r.BaseStream.Position = bytes.Length;
        return new WriteImage(path, offset, bytes.AsMemory(start), trace);
    }

    private static CommitImage ReadCommit(BinaryReader r, string path)
    {
        string parent = r.ReadString();
        bool keepChild = r.ReadBoolean(), force = r.ReadBoolean();
        return new CommitImage(path, parent, keepChild, r.ReadTrace(), Force: force);
    }

    /// <summary>Freeze and retire carry no context of their own; the empty one is read and dropped.</summary>
    private static IImageRequest Traceless(BinaryReader r, IImageRequest request)
    {
        r.ReadTrace();
        return request;
    }

    private static void WriteCreate(BinaryWriter w, VhdCreateOptions o)
    {
        w.Write((int)o.Type);
        w.Write(o.Size);
        w.Write(o.BlockSize);
        w.Write(o.ExactSize);
        w.WriteNullable(o.UniqueId?.ToString("N"));
        w.Write(o.Timestamp is not null);
        if (o.Timestamp is { } t) w.Write(t.UtcTicks);
    }

    private static VhdCreateOptions ReadCreate(BinaryReader r)
    {
        var type = r.ReadEnum<VhdDiskType>("disk type");
        long size = r.ReadNonNegative("size");
        int blockSize = r.ReadInt32();
        bool exact = r.ReadBoolean();
        string? id = r.ReadNullable();
        DateTimeOffset? timestamp = r.ReadBoolean() ? new DateTimeOffset(r.ReadInt64(), TimeSpan.Zero) : null;
        return new VhdCreateOptions
        {
            Type = type, Size = size, BlockSize = blockSize, ExactSize = exact,
            UniqueId = id is null ? null : Guid.TryParseExact(id, "N", out var g) ? g : throw new System.Runtime.Serialization.SerializationException($"unique id: '{id}' is not a GUID"),
            Timestamp = timestamp,
        };
    }
}
