namespace Storage.CrashTesting;

/// <summary>Whether a differencing image must still pass the parent-id check (a forced commit into its parent changes the parent's id).</summary>
internal enum ParentLink
{
    /// <summary>It must open and read its model.</summary>
    Intact,

    /// <summary>It may refuse to open with a parent-id mismatch (a forced commit is under way); if it opens, it must read its model.</summary>
    MayBeBroken,

    /// <summary>It must refuse to open with a parent-id mismatch (its parent got a new id), never read what the parent holds now.</summary>
    Broken,
}
