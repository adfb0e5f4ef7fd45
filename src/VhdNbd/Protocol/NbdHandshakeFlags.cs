namespace Storage.VhdNbd.Protocol;

/// <summary>The server's handshake flags, and the client's flags that answer them (same bits).</summary>
[Flags]
internal enum NbdHandshakeFlags : ushort
{
    None = 0,
    FixedNewstyle = 1,
    NoZeroes = 2,
}
