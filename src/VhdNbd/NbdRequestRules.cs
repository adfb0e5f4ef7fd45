using Storage.VhdNbd.Protocol;

namespace Storage.VhdNbd;

/// <summary>
/// What makes a transmission request acceptable before it reaches the disk: flags the command
/// allows, a range inside the export, a payload within the limit, a writable export for writes,
/// a negotiated context for block status. The errors are the ones the protocol names: EINVAL for
/// a bad read, trim or block status range and unknown commands or flags, ENOSPC for a write past
/// the end, EPERM for a write to a read-only export.
/// </summary>
internal static class NbdRequestRules
{
    /// <summary>NbdError.None and null when the request may run; else the error and a message for the client.</summary>
    public static (NbdError Error, string? Message) Check(in NbdRequest request, NbdSession session)
    {
        if (!Enum.IsDefined(request.Command) || request.Command == NbdCommand.Cache)
            return (NbdError.Invalid, $"command {(ushort)request.Command} is not supported");
        var extra = request.Flags & ~AllowedFlags(request.Command, session.Structured);
        if (extra != 0)
            return (NbdError.Invalid, $"flags 0x{(ushort)extra:x} are not valid for {Name(request.Command)}");
        bool writes = request.Command is NbdCommand.Write or NbdCommand.Trim or NbdCommand.WriteZeroes;
        if (writes && session.ReadOnly)
            return (NbdError.Permission, $"export '{session.Export.Name}' is read-only");
        if (request.Command == NbdCommand.Flush)
            return request.Offset == 0 && request.Length == 0 ? (NbdError.None, null) : (NbdError.Invalid, "a flush must have offset and length 0");
        if (request.Command == NbdCommand.BlockStatus && !session.AllocationContext)
            return (NbdError.Invalid, "block status needs the base:allocation context, selected with NBD_OPT_SET_META_CONTEXT for this export");
        if (request.Command == NbdCommand.BlockStatus && request.Length == 0)
            return (NbdError.Invalid, "block status of 0 bytes");
        if (request.Command == NbdCommand.Read && request.Length > NbdTransmission.MaxPayload)
            return (NbdError.Invalid, $"a read of {request.Length} bytes is more than the maximum payload of {NbdTransmission.MaxPayload} bytes");
        ulong size = (ulong)session.Disk.Length;
        if (request.Offset > size || request.Length > size - request.Offset)
        {
            var error = request.Command is NbdCommand.Write or NbdCommand.WriteZeroes ? NbdError.NoSpace : NbdError.Invalid;
            return (error, $"{Name(request.Command)} of {request.Length} bytes at offset {request.Offset} is outside export '{session.Export.Name}' ({size} bytes)");
        }
        return (NbdError.None, null);
    }

    /// <summary>
    /// FUA is accepted on every command (the protocol asks servers to, as clients set it freely);
    /// DF only once structured replies are on; FAST_ZERO is never offered.
    /// </summary>
    private static NbdCommandFlags AllowedFlags(NbdCommand command, bool structured) => NbdCommandFlags.Fua | command switch
    {
        NbdCommand.Read when structured => NbdCommandFlags.DontFragment,
        NbdCommand.WriteZeroes => NbdCommandFlags.NoHole,
        NbdCommand.BlockStatus => NbdCommandFlags.RequestOne,
        _ => NbdCommandFlags.None,
    };

    /// <summary>The command's name as the protocol writes it (for messages and spans).</summary>
    public static string Name(NbdCommand command) => command switch
    {
        NbdCommand.Read => "NBD_CMD_READ",
        NbdCommand.Write => "NBD_CMD_WRITE",
        NbdCommand.Disconnect => "NBD_CMD_DISC",
        NbdCommand.Flush => "NBD_CMD_FLUSH",
        NbdCommand.Trim => "NBD_CMD_TRIM",
        NbdCommand.Cache => "NBD_CMD_CACHE",
        NbdCommand.WriteZeroes => "NBD_CMD_WRITE_ZEROES",
        NbdCommand.BlockStatus => "NBD_CMD_BLOCK_STATUS",
        _ => "an unknown command",
    };
}
