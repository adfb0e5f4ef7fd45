using Storage.VhdActors;
using Storage.VhdNbd.Protocol;

namespace Storage.VhdNbd;

/// <summary>
/// What a connection agreed on in the handshake: the export, its open <see cref="IDisk"/> (this
/// connection's own handle; the store shares the image between handles), and the features negotiated.
/// Disposing it releases the handle: the last handle on an image flushes and closes it.
/// </summary>
internal sealed class NbdSession(NbdExport export, IDisk disk, bool structured, bool allocationContext) : IAsyncDisposable
{
    /// <summary>The context id this server gives base:allocation.</summary>
    public const uint AllocationContextId = 1;

    public NbdExport Export { get; } = export;

    public IDisk Disk { get; } = disk;

    /// <summary>Structured replies were negotiated.</summary>
    public bool Structured { get; } = structured;

    /// <summary>base:allocation was selected for this export: block status may be asked.</summary>
    public bool AllocationContext { get; } = allocationContext;

    public bool ReadOnly => !Disk.CanWrite;

    public NbdTransmissionFlags Flags => FlagsFor(ReadOnly, Structured);

    /// <summary>
    /// What an export supports. CAN_MULTI_CONN: every connection's handle reaches the image's one
    /// actor and one open disk, so a flush on any connection makes every write that any connection
    /// has completed durable (see the README's decision). A read-only export offers no writes.
    /// </summary>
    public static NbdTransmissionFlags FlagsFor(bool readOnly, bool structured)
    {
        var flags = NbdTransmissionFlags.HasFlags | NbdTransmissionFlags.SendFlush | NbdTransmissionFlags.CanMultiConn;
        if (structured) flags |= NbdTransmissionFlags.SendDontFragment;
        flags |= readOnly
            ? NbdTransmissionFlags.ReadOnly
            : NbdTransmissionFlags.SendFua | NbdTransmissionFlags.SendTrim | NbdTransmissionFlags.SendWriteZeroes;
        return flags;
    }

    public ValueTask DisposeAsync() => Disk.DisposeAsync();
}
