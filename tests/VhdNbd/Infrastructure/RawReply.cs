namespace Storage.Tests.VhdNbd.Infrastructure;

/// <summary>One reply as the raw client saw it: the error, the data of a read, the extents of a block status, the message of an error chunk.</summary>
public sealed record RawReply(uint Error, byte[] Data, List<(uint Length, uint Flags)> Extents, string Message, int Chunks);
