namespace Storage.CrashTesting;

/// <summary>
/// A deterministic script of engine calls: <see cref="Setup"/> builds the starting images (no
/// faults, no crash points, made durable afterwards), <see cref="Run"/> is what gets crashed.
/// Every call goes through a <see cref="WorkloadContext"/> so the models follow along.
/// </summary>
internal abstract class CrashWorkload
{
    /// <summary>A short, stable name (used in replay tokens).</summary>
    public abstract string Name { get; }

    /// <summary>One line on what it exercises.</summary>
    public abstract string Description { get; }

    /// <summary>True to run a crash-enumerated repair on every crashed state, not just a sample.</summary>
    public virtual bool RepairEveryState => false;

    /// <summary>True when <see cref="Recover"/> does something (then every crashed state is also recovered and verified).</summary>
    public virtual bool HasRecovery => false;

    /// <summary>Builds the starting images; nothing for a workload that creates its own.</summary>
    public virtual void Setup(WorkloadContext ctx)
    {
    }

    /// <summary>The crashed part.</summary>
    public abstract void Run(WorkloadContext ctx);

    /// <summary>
    /// What a user does after a crash to finish the job (run an interrupted commit again...), on a
    /// context over the crashed files; the result must pass every check against the models it updates.
    /// </summary>
    public virtual void Recover(WorkloadContext ctx)
    {
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
