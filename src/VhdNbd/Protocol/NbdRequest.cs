namespace Storage.VhdNbd.Protocol;

/// <summary>The fixed 28-byte header of a transmission request (a write's payload follows it on the wire).</summary>
/// <param name="Flags">Command flags.</param>
/// <param name="Command">Request type (may be one this server does not know).</param>
/// <param name="Cookie">The client's opaque handle, echoed in the reply.</param>
/// <param name="Offset">Byte offset on the export (unsigned on the wire).</param>
/// <param name="Length">Byte length (the payload's, for a write).</param>
internal readonly record struct NbdRequest(NbdCommandFlags Flags, NbdCommand Command, ulong Cookie, ulong Offset, uint Length);
