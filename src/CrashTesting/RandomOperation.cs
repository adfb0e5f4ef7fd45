namespace Storage.CrashTesting;

/// <summary>One step of a random workload.</summary>
/// <param name="Kind">What it does.</param>
/// <param name="Offset">Write offset (clamped to the disk).</param>
/// <param name="Length">Write length in bytes.</param>
internal readonly record struct RandomOperation(RandomOperationKind Kind, long Offset = 0, int Length = 0)
{
    public override string ToString() => Kind == RandomOperationKind.Write ? $"write {Offset}+{Length}" : Kind.ToString().ToLowerInvariant();
}
