using System.Buffers;
using System.Runtime.CompilerServices;
using Storage.VhdActors;
using Storage.VhdNbd.Protocol;

namespace Storage.VhdNbd;

/// <summary>
/// The commands that change the export: WRITE, TRIM and WRITE_ZEROES, each followed by a flush when
/// the client set FUA. Ranges and permissions were checked (<see cref="NbdRequestRules"/>).
/// </summary>
internal sealed class NbdCommandHandler(NbdSession session)
{
    /// <summary>Zeros are written in pieces of this size, cut at multiples of it (never inside a sector).</summary>
    private const int ZeroChunk = 1 << 20;

    private static readonly ReadOnlyMemory<byte> Zeros = new byte[ZeroChunk];

    private IDisk Disk => session.Disk;

    /// <summary>
    /// One <see cref="IDisk.WriteAsync"/> for the whole payload, never split: straight from the
    /// receive buffer when it lies in one segment, else from one pooled copy.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask WriteAsync(NbdRequest request, ReadOnlySequence<byte> payload)
    {
        if (payload.IsSingleSegment)
        {
            await Disk.WriteAsync((long)request.Offset, payload.First).ConfigureAwait(false);
        }
        else
        {
            int length = (int)payload.Length;
            byte[] copy = ArrayPool<byte>.Shared.Rent(length);
            try
            {
                payload.CopyTo(copy);
                // The store copies what it keeps (DiskHandle's message path): the buffer goes back when this returns.
                await Disk.WriteAsync((long)request.Offset, copy.AsMemory(0, length)).ConfigureAwait(false);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(copy);
            }
        }
        await FlushIfFuaAsync(request).ConfigureAwait(false);
    }

    /// <summary>
    /// TRIM: <see cref="IDisk.DiscardAsync"/> over the range (a dynamic image gives back the whole
    /// blocks it covers and zeroes the edges; the range reads zeros afterwards), then a flush if FUA.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask TrimAsync(NbdRequest request)
    {
        await Disk.DiscardAsync((long)request.Offset, request.Length).ConfigureAwait(false);
        await FlushIfFuaAsync(request).ConfigureAwait(false);
    }

    /// <summary>
    /// WRITE_ZEROES. When the client asked for the range to be provisioned (NBD_CMD_FLAG_NO_HOLE)
    /// zeros are written over all of it. Otherwise holes already read as zeros and are left alone,
    /// and the runs that may hold data are discarded (the protocol lets the server punch holes then):
    /// whole blocks of a dynamic image are given back, only the edges get zeros.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask ZeroAsync(NbdRequest request, bool provision)
    {
        long offset = (long)request.Offset, end = offset + request.Length;
        while (offset < end)
        {
            long run = end - offset;
            if (provision)
            {
                await WriteZerosAsync(offset, run).ConfigureAwait(false);
            }
            else
            {
                var allocation = await Disk.GetAllocationAsync(offset, run).ConfigureAwait(false);
                run = allocation.Length;
                if (allocation.MayContainData) await Disk.DiscardAsync(offset, run).ConfigureAwait(false);
            }
            offset += run;
        }
        await FlushIfFuaAsync(request).ConfigureAwait(false);
    }

    /// <summary>Zeros written over a range (WRITE_ZEROES with NBD_CMD_FLAG_NO_HOLE: the range stays provisioned).</summary>
    private async ValueTask WriteZerosAsync(long offset, long length)
    {
        long end = offset + length;
        while (offset < end)
        {
            long next = Math.Min(end, (offset / ZeroChunk + 1) * ZeroChunk);
            await Disk.WriteAsync(offset, Zeros[..(int)(next - offset)]).ConfigureAwait(false);
            offset = next;
        }
    }

    private ValueTask FlushIfFuaAsync(NbdRequest request) =>
        (request.Flags & NbdCommandFlags.Fua) != 0 ? new ValueTask(Disk.FlushAsync()) : ValueTask.CompletedTask;
}
