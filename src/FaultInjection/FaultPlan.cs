using System.Globalization;

namespace Storage.FaultInjection;

/// <summary>
/// Which faults a <see cref="FaultFileSystem"/> injects, deterministic from a seed: I/O errors at
/// chosen counted operations, failing fsyncs, short reads and disk-full on growth. It also
/// counts what it saw, so a test can run a workload once to count its operations, then rerun
/// it failing at each index.
/// </summary>
/// <remarks>
/// <para>
/// Counted operations (see <see cref="FaultOperationKind"/>): opening a file, each read, write,
/// length change and flush call on a stream, <c>Flush(true)</c>, and file/directory delete, move,
/// copy, replace. Seeks, length/position queries, existence checks, directory creation and
/// disposing are not counted: they do no I/O that can fail in a way the engine must handle.
/// </para>
/// <para>A faulted operation has no effect: a failed write writes nothing, a disk-full growth grows nothing,
/// a failed <c>Flush(true)</c> leaves its epoch pending (undetermined: a later crash may keep or lose any of it).</para>
/// <para>Thread-safe. Configure it before use; the fluent methods return the same instance.</para>
/// </remarks>
public sealed partial class FaultPlan
{
    /// <summary>HResult of injected disk-full errors: HRESULT_FROM_WIN32(ERROR_DISK_FULL), on every platform.</summary>
    public const int DiskFullHResult = unchecked((int)0x80070070);

    /// <summary>HResult of other injected I/O errors: COR_E_IO, the default of <see cref="IOException"/>.</summary>
    public const int IOErrorHResult = unchecked((int)0x80131620);

    private readonly Lock _gate = new();
    private readonly List<(long Index, bool FromThenOn)> _failures = [];
    private readonly List<(long Index, bool FromThenOn)> _flushFailures = [];
    private SplitMix64 _random;
    private double _shortReadProbability;
    private long _maxFileSize = long.MaxValue;
    private long _operationCount;
    private long _flushToDiskCount;
    private long _faultCount;

    /// <summary>Creates a plan that injects nothing until configured (a pure counter).</summary>
    /// <param name="seed">Seeds the choices that are random (which reads are short, and by how much).</param>
    public FaultPlan(int seed = 0)
    {
        Seed = seed;
        _random = new SplitMix64(SplitMix64.Mix(seed, 0x5EED));
    }

    /// <summary>The seed the plan was made with.</summary>
    public int Seed { get; }

    /// <summary>Counted operations seen so far, faulted ones included.</summary>
    public long OperationCount
    {
        get
        {
            lock (_gate)
            {
                return _operationCount;
            }
        }
    }

    /// <summary><c>Flush(true)</c> calls seen so far, faulted ones included.</summary>
    public long FlushToDiskCount
    {
        get
        {
            lock (_gate)
            {
                return _flushToDiskCount;
            }
        }
    }

    /// <summary>Faults injected so far (short reads not included).</summary>
    public long FaultCount
    {
        get
        {
            lock (_gate)
            {
                return _faultCount;
            }
        }
    }

    /// <summary>Fails the counted operation with 0-based index <paramref name="operationIndex"/> with an <see cref="InjectedFaultException"/>.</summary>
    /// <param name="operationIndex">Which operation (see <see cref="OperationCount"/>).</param>
    /// <param name="fromThenOn">False: only that operation fails. True: it and every later one fail (a dead disk).</param>
    /// <returns>This plan.</returns>
    public FaultPlan FailAt(long operationIndex, bool fromThenOn = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(operationIndex);
        lock (_gate)
        {
            _failures.Add((operationIndex, fromThenOn));
        }

        return this;
    }

    /// <summary>Makes the <c>Flush(true)</c> call (of a file or a directory) with 0-based index <paramref name="flushIndex"/> fail; its epoch stays pending.</summary>
    /// <param name="flushIndex">Which <c>Flush(true)</c> (see <see cref="FlushToDiskCount"/>).</param>
    /// <param name="fromThenOn">True: every later <c>Flush(true)</c> fails too.</param>
    /// <returns>This plan.</returns>
    public FaultPlan FailFlushToDiskAt(long flushIndex, bool fromThenOn = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(flushIndex);
        lock (_gate)
        {
            _flushFailures.Add((flushIndex, fromThenOn));
        }

        return this;
    }

    /// <summary>Makes reads return fewer bytes than asked (at least 1) with the given probability, chosen from the seed.</summary>
    /// <param name="probability">0 (never) to 1 (every read of 2 or more bytes).</param>
    /// <returns>This plan.</returns>
    public FaultPlan WithShortReads(double probability = 1.0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(probability, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(probability, 1.0);
        lock (_gate)
        {
            _shortReadProbability = probability;
        }

        return this;
    }

    /// <summary>
    /// Makes any write or length change that would grow a file past <paramref name="bytes"/> fail with
    /// disk full (<see cref="DiskFullHResult"/>), without growing it at all.
    /// </summary>
    /// <param name="bytes">The largest length a file may reach.</param>
    /// <returns>This plan.</returns>
    public FaultPlan WithMaxFileSize(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        lock (_gate)
        {
            _maxFileSize = bytes;
        }

        return this;
    }

    /// <summary>Counts one operation and throws if the plan fails it.</summary>
    /// <param name="kind">The operation.</param>
    /// <param name="path">The file, for the message.</param>
    /// <param name="growTo">The length the operation grows the file to, or -1 when it does not grow it.</param>
    internal void BeforeOperation(FaultOperationKind kind, string path, long growTo)
    {
        lock (_gate)
        {
            long index = _operationCount++;
            if (kind is FaultOperationKind.FlushToDisk or FaultOperationKind.FlushDirectory)
            {
                long flush = _flushToDiskCount++;
                if (Hits(_flushFailures, flush))
                {
                    _faultCount++;
                    throw new InjectedFaultException(
                        string.Create(CultureInfo.InvariantCulture, $"Injected fsync failure at Flush(true) #{flush} (operation {index}) of '{path}'; its writes stay undetermined."),
                        index,
                        IOErrorHResult);
                }
            }

            if (Hits(_failures, index))
            {
                _faultCount++;
                throw new InjectedFaultException(
                    string.Create(CultureInfo.InvariantCulture, $"Injected I/O error at operation {index} ({kind} '{path}')."),
                    index,
                    IOErrorHResult);
            }

            if (growTo > _maxFileSize)
            {
                _faultCount++;
                throw new InjectedFaultException(
                    string.Create(CultureInfo.InvariantCulture, $"Injected disk full at operation {index} ({kind} '{path}'): growing to {growTo} bytes exceeds the limit of {_maxFileSize}."),
                    index,
                    DiskFullHResult);
            }
        }
    }

    /// <summary>How many of <paramref name="requested"/> available bytes a read returns.</summary>
    internal int ShortenRead(int requested)
    {
        lock (_gate)
        {
            if (requested < 2 || _shortReadProbability <= 0 || _random.NextDouble() >= _shortReadProbability)
            {
                return requested;
            }

            return 1 + _random.Next(requested - 1);
        }
    }

    private static bool Hits(List<(long Index, bool FromThenOn)> rules, long index) =>
        rules.Exists(r => r.Index == index || (r.FromThenOn && index > r.Index));
}
