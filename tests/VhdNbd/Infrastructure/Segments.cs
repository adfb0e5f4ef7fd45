using System.Buffers;

namespace Storage.Tests.VhdNbd.Infrastructure;

/// <summary>Builds a <see cref="ReadOnlySequence{T}"/> out of several pieces, as a pipe hands over data that arrived in parts.</summary>
public sealed class Segments : ReadOnlySequenceSegment<byte>
{
    private Segments(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    public static ReadOnlySequence<byte> Of(params byte[][] pieces)
    {
        var first = new Segments(pieces[0], 0);
        var last = first;
        foreach (var piece in pieces.Skip(1))
        {
            var next = new Segments(piece, last.RunningIndex + last.Memory.Length);
            last.Next = next;
            last = next;
        }
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary><paramref name="bytes"/> cut at every given offset.</summary>
    public static ReadOnlySequence<byte> Split(byte[] bytes, params int[] cuts)
    {
        var pieces = new List<byte[]>();
        int start = 0;
        foreach (int cut in cuts.Append(bytes.Length))
        {
            pieces.Add(bytes[start..cut]);
            start = cut;
        }
        return Of([.. pieces]);
    }
}
