using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;
using Akka.Serialization;
using Storage.VhdActors.Messages;

namespace Storage.VhdActors.Wire;

/// <summary>
/// The serializer of the store's messages between nodes (DESIGN.md §12): requests, replies and
/// failures in a compact binary form of our own (<see cref="RequestWire"/>, <see cref="ReplyWire"/>,
/// <see cref="ExceptionWire"/>), one short manifest per type. Registered by
/// <see cref="ImageActors.WireConfig"/>; nothing of the store's is left to a general-purpose serializer.
/// Bad input is refused with a <see cref="SerializationException"/> naming the message and the field.
/// </summary>
internal sealed class ImageMessageSerializer : SerializerWithStringManifest
{
    /// <summary>The serializer's id: Akka reserves 0 to 100; this one is the store's, in every node's config.</summary>
    public const int Id = 5617;

    public ImageMessageSerializer(ExtendedActorSystem system) : base(system) { }

    public override int Identifier => Id;

    /// <summary>Every type this serializer is bound to.</summary>
    public static IEnumerable<Type> Types => RequestWire.Manifests.Keys.Concat(ReplyWire.Manifests.Keys);

    public override string Manifest(object o) =>
        RequestWire.Manifests.TryGetValue(o.GetType(), out string? request) ? request
        : ReplyWire.Manifests.TryGetValue(o.GetType(), out string? reply) ? reply
        : throw new SerializationException($"{o.GetType().Name} is not a message of the VHD store");

    public override byte[] ToBinary(object obj)
    {
        // A read's reply is the bytes as they are.
        if (obj is ImageData data) return data.Data;
        Manifest(obj); // refuses a type that is not the store's
        using var stream = new MemoryStream(64);
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            if (obj is IImageRequest request) RequestWire.Write(w, request);
            else ReplyWire.Write(w, obj);
        }
        return obj is WriteImage write ? WithData(stream, write.Data.Span) : stream.ToArray();
    }

    /// <summary>The header and then a write's bytes in one array: the bytes are copied once.</summary>
    private static byte[] WithData(MemoryStream header, ReadOnlySpan<byte> data)
    {
        int length = checked((int)header.Length);
        var bytes = new byte[length + data.Length];
        header.GetBuffer().AsSpan(0, length).CopyTo(bytes);
        data.CopyTo(bytes.AsSpan(length));
        return bytes;
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (manifest == "data") return new ImageData(bytes);
        using var stream = new MemoryStream(bytes, writable: false);
        using var r = new BinaryReader(stream, Encoding.UTF8);
        object message;
        try
        {
            message = RequestWire.Names.Contains(manifest) ? RequestWire.Read(r, manifest, bytes) : ReplyWire.Read(r, manifest);
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentException or FormatException or OverflowException or DecoderFallbackException or IOException)
        {
            throw new SerializationException($"VHD store message '{manifest}' of {bytes.Length} bytes: {e.Message}", e);
        }
        catch (SerializationException e)
        {
            throw new SerializationException($"VHD store message '{manifest}' of {bytes.Length} bytes: {e.Message}", e);
        }
        if (stream.Position != bytes.Length)
            throw new SerializationException($"VHD store message '{manifest}': {bytes.Length - stream.Position} bytes left over after the message");
        return message;
    }
}
