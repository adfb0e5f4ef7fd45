using Storage.Tests.VhdNbd.Infrastructure;
using Storage.VhdEngine;
using Storage.VhdNbd;
using Storage.VhdNbd.Protocol;
using Xunit;

namespace Storage.Tests.VhdNbd;

/// <summary>Which requests reach the disk, and the NBD error of each one that does not.</summary>
public sealed class RequestRulesTests
{
    private const long Size = 1 << 20;
    private static readonly NbdExport Export = new("a.vhd", "/srv/images/a.vhd", Size, ReadOnly: false);

    private static NbdSession Session(bool canWrite = true, bool structured = true, bool allocation = true) =>
        new(Export, new FakeDisk(Size, canWrite), structured, allocation);

    private static NbdError Check(NbdCommand command, ulong offset, uint length, NbdCommandFlags flags = 0, NbdSession? session = null) =>
        NbdRequestRules.Check(new NbdRequest(flags, command, 1, offset, length), session ?? Session()).Error;

    [Theory]
    [InlineData(0, 22)] // read: EINVAL
    [InlineData(1, 28)] // write: ENOSPC
    [InlineData(6, 28)] // write zeroes: ENOSPC
    [InlineData(4, 22)] // trim: EINVAL
    [InlineData(7, 22)] // block status: EINVAL
    public void Ranges_past_the_end_get_the_errors_the_protocol_names(ushort commandCode, uint errorCode)
    {
        var command = (NbdCommand)commandCode;
        var error = (NbdError)errorCode;
        Assert.Equal(NbdError.None, Check(command, Size - 512, 512));
        Assert.Equal(error, Check(command, Size - 511, 512));
        Assert.Equal(error, Check(command, Size + 1, 0));
        Assert.Equal(error, Check(command, ulong.MaxValue, 2)); // no overflow into range
        Assert.Equal(error, Check(command, (ulong)long.MaxValue + 1, 1));
    }

    [Fact]
    public void Flags_are_checked_per_command()
    {
        Assert.Equal(NbdError.None, Check(NbdCommand.Read, 0, 512, NbdCommandFlags.Fua | NbdCommandFlags.DontFragment));
        Assert.Equal(NbdError.Invalid, Check(NbdCommand.Read, 0, 512, NbdCommandFlags.DontFragment, Session(structured: false, allocation: false)));
        Assert.Equal(NbdError.Invalid, Check(NbdCommand.Read, 0, 512, NbdCommandFlags.NoHole));
        Assert.Equal(NbdError.Invalid, Check(NbdCommand.Write, 0, 512, NbdCommandFlags.RequestOne));
        Assert.Equal(NbdError.None, Check(NbdCommand.WriteZeroes, 0, 512, NbdCommandFlags.NoHole | NbdCommandFlags.Fua));
        Assert.Equal(NbdError.Invalid, Check(NbdCommand.WriteZeroes, 0, 512, NbdCommandFlags.FastZero));
        Assert.Equal(NbdError.None, Check(NbdCommand.BlockStatus, 0, 512, NbdCommandFlags.RequestOne));
        Assert.Equal(NbdError.Invalid, Check(NbdCommand.Trim, 0, 512, (NbdCommandFlags)0x8000));
    }

    [Fact]
    public void Writes_to_a_read_only_export_are_EPERM_and_reads_are_fine()
    {
        var ro = Session(canWrite: false);
        Assert.Equal(NbdError.Permission, Check(NbdCommand.Write, 0, 512, session: ro));
        Assert.Equal(NbdError.Permission, Check(NbdCommand.Trim, 0, 512, session: ro));
        Assert.Equal(NbdError.Permission, Check(NbdCommand.WriteZeroes, 0, 512, session: ro));
        Assert.Equal(NbdError.None, Check(NbdCommand.Read, 0, 512, session: ro));
        Assert.Equal(NbdError.None, Check(NbdCommand.Flush, 0, 0, session: ro));
    }

    [Fact]
    public void Unknown_commands_flush_with_a_range_block_status_without_a_context_and_huge_reads_are_EINVAL()
    {
        Assert.Equal(NbdError.Invalid, Check((NbdCommand)42, 0, 0));
        Assert.Equal(NbdError.Invalid, Check(NbdCommand.Cache, 0, 512));
        Assert.Equal(NbdError.Invalid, Check(NbdCommand.Flush, 1, 0));
        Assert.Equal(NbdError.Invalid, Check(NbdCommand.BlockStatus, 0, 512, session: Session(allocation: false)));
        Assert.Equal(NbdError.Invalid, Check(NbdCommand.BlockStatus, 0, 0));
        Assert.Equal(NbdError.Invalid, Check(NbdCommand.Read, 0, (32u << 20) + 1));
        Assert.Equal(NbdError.None, Check(NbdCommand.WriteZeroes, 0, (uint)Size)); // no payload: no payload limit
    }

    [Fact]
    public void Transmission_flags_offer_writes_only_on_writable_exports_and_always_multi_conn()
    {
        var rw = NbdSession.FlagsFor(readOnly: false, structured: true);
        Assert.Equal(NbdTransmissionFlags.HasFlags | NbdTransmissionFlags.SendFlush | NbdTransmissionFlags.CanMultiConn | NbdTransmissionFlags.SendDontFragment
            | NbdTransmissionFlags.SendFua | NbdTransmissionFlags.SendTrim | NbdTransmissionFlags.SendWriteZeroes, rw);
        Assert.Equal(NbdTransmissionFlags.HasFlags | NbdTransmissionFlags.SendFlush | NbdTransmissionFlags.CanMultiConn | NbdTransmissionFlags.ReadOnly,
            NbdSession.FlagsFor(readOnly: true, structured: false));
    }

    [Fact]
    public void Store_errors_become_nbd_errors_that_name_the_export_not_the_path()
    {
        var full = new VhdIOException("/srv/images/a.vhd: write failed", new IOException("No space left on device") { HResult = 28 }, diskUsable: true);
        Assert.Equal((NbdError.NoSpace, "a.vhd: write failed"), NbdErrors.From(full, Export));
        Assert.Equal(NbdError.Io, NbdErrors.From(new VhdIOException("/srv/images/a.vhd: bad sector", new IOException("EIO") { HResult = 5 }, diskUsable: true), Export).Error);
        Assert.Equal(NbdError.Invalid, NbdErrors.From(new ArgumentOutOfRangeException("offset", "bad"), Export).Error);
        Assert.Equal(NbdError.Io, NbdErrors.From(new VhdException("/srv/images/a.vhd: the image actor stopped"), Export).Error);
    }
}
