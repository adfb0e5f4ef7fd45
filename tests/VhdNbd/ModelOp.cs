using static Storage.Tests.VhdNbd.Infrastructure.RawNbdClient;

namespace Storage.Tests.VhdNbd;

/// <summary>One request of a generated sequence, sent on connection <see cref="Connection"/> (0 or 1).</summary>
public sealed record ModelOp(int Connection, ushort Command, long Offset, int Length, ushort Flags, int Seed)
{
    public override string ToString() => $"c{Connection} {Name} {Offset}+{Length}{(Flags != 0 ? $" flags={Flags}" : "")}";

    private string Name => Command switch
    {
        Read => "read", Write => "write", Flush => "flush", Trim => "trim", WriteZeroes => "zero", BlockStatus => "status", _ => Command.ToString(),
    };
}
