namespace Storage.CrashTesting.Harness;

/// <summary>Whether an image must be there after a crash.</summary>
internal enum Existence
{
    /// <summary>Its creation (or snapshot) returned: it must exist and open.</summary>
    Must,

    /// <summary>Its creation or removal was under way: either way, but if it is there it must be sound.</summary>
    May,

    /// <summary>Its removal (a commit that drops the child) returned: it must be gone.</summary>
    MustNot,
}
