namespace Storage.FaultInjection;

/// <summary>Injected lock refusals: an open that asks to lock a file is refused as if another process held it.</summary>
public sealed partial class FaultPlan
{
    /// <summary>HResult of sharing violations, injected or modelled: HRESULT_FROM_WIN32(ERROR_SHARING_VIOLATION), on every platform.</summary>
    public const int LockRefusedHResult = unchecked((int)0x80070020);

    private readonly List<(long Index, bool FromThenOn)> _lockRefusals = [];
    private long _lockRequestCount;

    /// <summary>
    /// Lock requests seen so far: opens whose <see cref="FileShare"/> denies others something (a
    /// writer's or reader's lock), refused ones included. Opens sharing read and write lock nothing.
    /// </summary>
    public long LockRequestCount
    {
        get
        {
            lock (_gate)
            {
                return _lockRequestCount;
            }
        }
    }

    /// <summary>
    /// Refuses the lock request with 0-based index <paramref name="lockIndex"/> (see <see cref="LockRequestCount"/>)
    /// with a sharing violation (<see cref="LockRefusedHResult"/>), as if another process held the file.
    /// </summary>
    /// <param name="lockIndex">Which lock request.</param>
    /// <param name="fromThenOn">True: every later lock request is refused too (the other process keeps the file).</param>
    /// <returns>This plan.</returns>
    public FaultPlan RefuseLockAt(long lockIndex, bool fromThenOn = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lockIndex);
        lock (_gate)
        {
            _lockRefusals.Add((lockIndex, fromThenOn));
        }

        return this;
    }

    /// <summary>Counts one lock request; true when the plan refuses it.</summary>
    internal bool RefusesLock()
    {
        lock (_gate)
        {
            long index = _lockRequestCount++;
            if (!Hits(_lockRefusals, index))
            {
                return false;
            }

            _faultCount++;
            return true;
        }
    }
}
