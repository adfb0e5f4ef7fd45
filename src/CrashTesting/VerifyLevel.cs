namespace Storage.CrashTesting;

/// <summary>How much the verifier does with one crashed image.</summary>
internal enum VerifyLevel
{
    /// <summary>Checks 1-4: opens, checker finds no errors, reads match the model.</summary>
    Basic,

    /// <summary>Checks 1-6: also read-write reopening is idempotent, and a fresh write after recovery spares live data.</summary>
    Full,
}
