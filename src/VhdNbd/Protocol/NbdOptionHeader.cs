namespace Storage.VhdNbd.Protocol;

/// <summary>The 16-byte header of a client option (its data follows).</summary>
/// <param name="Option">The option code (may be one this server does not know).</param>
/// <param name="Length">Bytes of option data that follow.</param>
internal readonly record struct NbdOptionHeader(uint Option, uint Length);
