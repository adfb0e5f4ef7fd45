using Storage.VhdEngine;

namespace Storage.VhdTool.Hosted;

/// <summary>What `vhd bench` runs; validated against the disk once it is open.</summary>
internal sealed class BenchSettings
{
    public long Count { get; init; }
    public int Depth { get; init; }
    public int Size { get; init; }
    public long Step { get; init; }
    public long Offset { get; init; }
    public bool Write { get; init; }
    public long FlushInterval { get; init; }
    public bool Random { get; init; }
    public ulong Seed { get; init; }
    public byte Pattern { get; init; }

    public void Validate(string image, long length)
    {
        if (Size > length)
            throw new VhdException($"{image}: request size {Size} is larger than the disk (virtual size {length})");
        if (Offset >= length)
            throw new VhdException($"{image}: offset {Offset} is past the end of the disk (virtual size {length})");
    }
}
