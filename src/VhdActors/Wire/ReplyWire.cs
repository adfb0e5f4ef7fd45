using Akka.Actor;
using Storage.VhdActors.Messages;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Maintenance;

namespace Storage.VhdActors.Wire;

/// <summary>
/// The replies on the wire. <see cref="ImageData"/> is its bytes and nothing else (no copy on either
/// side); a failure (<see cref="ImageRequestFailed"/>) arrives as the <see cref="Status.Failure"/> a
/// local caller gets.
/// </summary>
internal static class ReplyWire
{
    /// <summary>Manifest of each reply type that may cross the wire.</summary>
    public static readonly IReadOnlyDictionary<Type, string> Manifests = new Dictionary<Type, string>
    {
        [typeof(ImageAck)] = "ack", [typeof(ImageData)] = "data", [typeof(ImageOpened)] = "opened",
        [typeof(ImageCommitted)] = "committed", [typeof(ImageResized)] = "resized", [typeof(CompactResult)] = "compacted",
        [typeof(DiskInfo)] = "disk-info", [typeof(DiskAllocation)] = "allocated", [typeof(ImageRequestFailed)] = "failed",
    };

    public static void Write(BinaryWriter w, object reply)
    {
        switch (reply)
        {
            case ImageOpened m: w.Write(m.Path); w.Write(m.Length); w.Write(m.Writable); w.WriteStrings(m.Chain); break;
            case ImageCommitted m: w.Write(m.BytesCopied); break;
            case ImageResized m: w.Write(m.Size); break;
            case CompactResult m: w.Write(m.FileBytesBefore); w.Write(m.FileBytesAfter); w.Write(m.BlocksFreed); w.Write(m.BlocksMoved); break;
            case DiskInfo m:
                w.Write(m.Path); w.Write(m.Length); w.Write((int)m.Type); w.WriteStrings(m.Chain);
                w.Write(m.BlockSize); w.Write(m.AllocatedBytes); w.Write(m.FileLength);
                break;
            case DiskAllocation m: w.Write(m.Length); w.Write(m.MayContainData); break;
            case ImageRequestFailed m: ExceptionWire.Write(w, m.Error); break;
        }
    }

    public static object Read(BinaryReader r, string manifest) => manifest switch
    {
        "ack" => ImageAck.Instance,
        "opened" => new ImageOpened(r.ReadString(), r.ReadNonNegative("length"), r.ReadBoolean(), r.ReadStrings()),
        "committed" => new ImageCommitted(r.ReadNonNegative("bytes copied")),
        "resized" => new ImageResized(r.ReadNonNegative("size")),
        "compacted" => new CompactResult(r.ReadNonNegative("file bytes before"), r.ReadNonNegative("file bytes after"), r.ReadInt32(), r.ReadInt32()),
        "disk-info" => new DiskInfo(r.ReadString(), r.ReadNonNegative("length"), r.ReadEnum<VhdDiskType>("disk type"), r.ReadStrings(),
            r.ReadInt32(), r.ReadNonNegative("allocated bytes"), r.ReadNonNegative("file length")),
        "allocated" => new DiskAllocation(r.ReadNonNegative("length"), r.ReadBoolean()),
        "failed" => new Status.Failure(ExceptionWire.Read(r)),
        _ => throw new System.Runtime.Serialization.SerializationException($"manifest: '{manifest}' is not a reply"),
    };
}
