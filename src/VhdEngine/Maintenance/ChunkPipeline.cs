using System.Buffers;
using System.Runtime.ExceptionServices;

namespace Storage.VhdEngine.Maintenance;

/// <summary>
/// Double buffering for the converter: a second thread reads chunk i+1 while the caller writes
/// chunk i, so on a machine with two cores the source's page-cache copy and the target's overlap.
/// A fixed ring of <see cref="Buffers"/> pooled buffers bounds memory; chunks are written in the
/// order they were read. The hand-off blocks on a monitor (no spinning: the two sides take
/// different times per chunk, and spinning would only burn the core the other side needs). An
/// error on either side stops both; the reader's error is rethrown on the caller's thread once
/// the chunks read before it are written.
/// </summary>
internal sealed class ChunkPipeline
{
    /// <summary>Buffers in the ring: one being read, one being written, one ready.</summary>
    public const int Buffers = 3;

    private readonly byte[][] _ring = new byte[Buffers][];
    private readonly Chunk[] _chunks = new Chunk[Buffers];
    private readonly object _gate = new();
    private long _read;      // chunks the reader has filled (guarded by _gate)
    private long _written;   // chunks the writer has finished (guarded by _gate)
    private bool _readerDone;
    private bool _stopped;
    private Exception? _readError;

    private ChunkPipeline(int chunkSize)
    {
        for (int i = 0; i < Buffers; i++) _ring[i] = ArrayPool<byte>.Shared.Rent(chunkSize);
    }

    /// <summary>One chunk read: where it goes and whether it holds data to write.</summary>
    /// <param name="Offset">Offset of the chunk on the disk.</param>
    /// <param name="Length">Its length in bytes.</param>
    /// <param name="HasData">False when it was not read because the source certainly holds only zeros there.</param>
    public readonly record struct Chunk(long Offset, int Length, bool HasData);

    /// <summary>
    /// Calls <paramref name="read"/> on a second thread until it returns null, and
    /// <paramref name="write"/> on the caller's thread for each chunk it returned, in order.
    /// </summary>
    public static void Run(int chunkSize, Func<byte[], Chunk?> read, Action<byte[], Chunk> write, CancellationToken cancellationToken)
    {
        var pipeline = new ChunkPipeline(chunkSize);
        var reader = new Thread(() => pipeline.ReadAll(read)) { IsBackground = true, Name = "vhd convert reader" };
        reader.Start();
        try
        {
            pipeline.WriteAll(write, cancellationToken);
        }
        finally
        {
            pipeline.Stop();
            // Its buffers must not go back to the pool before the reader is done with them.
            reader.Join();
            foreach (var buffer in pipeline._ring) ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void ReadAll(Func<byte[], Chunk?> read)
    {
        try
        {
            for (long i = 0; ; i++)
            {
                lock (_gate)
                {
                    while (i - _written >= Buffers && !_stopped) Monitor.Wait(_gate);
                    if (_stopped) return;
                }
                int slot = (int)(i % Buffers);
                var chunk = read(_ring[slot]);
                if (chunk is null) break;
                lock (_gate)
                {
                    _chunks[slot] = chunk.Value;
                    _read = i + 1;
                    Monitor.PulseAll(_gate);
                }
            }
        }
        catch (Exception e)
        {
            lock (_gate) _readError = e;
        }
        finally
        {
            lock (_gate)
            {
                _readerDone = true;
                Monitor.PulseAll(_gate);
            }
        }
    }

    private void WriteAll(Action<byte[], Chunk> write, CancellationToken cancellationToken)
    {
        using var wake = cancellationToken.Register(Stop);
        for (long i = 0; ; i++)
        {
            Chunk chunk;
            lock (_gate)
            {
                while (_read <= i && !_readerDone && !_stopped) Monitor.Wait(_gate);
                cancellationToken.ThrowIfCancellationRequested();
                if (_read <= i)
                {
                    if (_readError is not null) ExceptionDispatchInfo.Throw(_readError);
                    return;
                }
                chunk = _chunks[i % Buffers];
            }
            write(_ring[i % Buffers], chunk);
            lock (_gate)
            {
                _written = i + 1;
                Monitor.PulseAll(_gate);
            }
        }
    }

    private void Stop()
    {
        lock (_gate)
        {
            _stopped = true;
            Monitor.PulseAll(_gate);
        }
    }
}
