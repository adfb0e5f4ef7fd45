namespace Storage.CrashTesting.Harness;

/// <summary>A moment in the recorder's order: the calls started before it, and its sequence number.</summary>
/// <param name="Seq">Calls that ended before this number ended before the moment.</param>
/// <param name="Count">Calls started before the moment (a prefix of the recorder's list).</param>
internal readonly record struct CallMarker(long Seq, int Count);
