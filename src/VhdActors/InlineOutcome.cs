namespace Storage.VhdActors;

/// <summary>How an attempt to run a request under a <see cref="DiskLease"/> ended.</summary>
internal enum InlineOutcome
{
    /// <summary>The request ran on the caller's thread.</summary>
    Done,
    /// <summary>No usable lease: ask for one, or go to the actor.</summary>
    NoLease,
    /// <summary>The write would allocate or set bitmap bits: only the image actor may do that.</summary>
    NeedsActor,
}
