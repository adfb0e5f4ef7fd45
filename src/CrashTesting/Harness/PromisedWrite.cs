namespace Storage.CrashTesting.Harness;

/// <summary>A write as the content check sees it: where, what, and whether it was promised durable at the crash point.</summary>
/// <param name="Offset">Virtual disk offset.</param>
/// <param name="Data">The bytes.</param>
/// <param name="Durable">Promised to survive.</param>
/// <param name="EndSeq">When the write call returned (recorder order).</param>
internal sealed record PromisedWrite(long Offset, byte[] Data, bool Durable, long EndSeq);
