namespace Storage.CrashTesting;

/// <summary>Whether a tracked image file must exist after a crash.</summary>
internal enum ImageExistence
{
    /// <summary>Not created yet: nothing to check.</summary>
    NotYet,

    /// <summary>Being created (or its creation failed): may be absent; if present it must be sound.</summary>
    Creating,

    /// <summary>Created and durable: must exist and be sound.</summary>
    Present,

    /// <summary>Being deleted (a commit that drops the child): may be absent; if present it must be sound.</summary>
    Deleting,

    /// <summary>Deleted: nothing to check.</summary>
    Gone,
}
