using System.Buffers.Binary;
using System.Text;
using Storage.Tests.VhdNbd.Infrastructure;
using Storage.VhdEngine.Disks;
using Xunit;
using static Storage.Tests.VhdNbd.Infrastructure.RawNbdClient;

namespace Storage.Tests.VhdNbd;

/// <summary>The server against a raw client that can send anything: handshake options, replies, malformed and unknown requests.</summary>
public sealed class ProtocolTests : IAsyncLifetime
{
    private const int Block = 512 * 1024;
    private readonly TestDir _dir = new();
    private ServerHost _host = null!;

    public async Task InitializeAsync()
    {
        Images.Dynamic(_dir["a.vhd"], fill: d => d.Write(Block, Images.Pattern(4096, 1)));
        Images.Dynamic(_dir["b.vhd"]);
        _host = await ServerHost.StartAsync(_dir.Path);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public void The_handshake_offers_fixed_newstyle_and_no_zeroes()
    {
        using var c = new RawNbdClient(_host.Port);
        Assert.Equal(3, c.HandshakeFlags);
    }

    [Fact]
    public void List_info_and_unknown_options_are_answered_and_the_client_goes_on()
    {
        using var c = new RawNbdClient(_host.Port);
        c.SendClientFlags(1);
        var list = c.Option(OptList, []);
        Assert.Equal(["a.vhd", "b.vhd"], list.Where(r => r.Type == RepServer).Select(r => Encoding.UTF8.GetString(r.Data, 4, r.Data.Length - 4)));
        Assert.Equal(RepAck, list[^1].Type);
        Assert.Equal(0x8000_0003u, c.Option(OptList, [1])[^1].Type); // LIST takes no data: ERR_INVALID
        Assert.Equal(0x8000_0001u, c.Option(42, [1, 2, 3])[^1].Type); // unknown: ERR_UNSUP
        Assert.Equal(0x8000_0001u, c.Option(5, [])[^1].Type); // STARTTLS: no TLS here, ERR_UNSUP
        var unknown = c.Option(OptInfo, InfoData("nope.vhd"));
        Assert.Equal(0x8000_0006u, unknown[^1].Type); // ERR_UNKNOWN, with a message
        Assert.Contains("nope.vhd", Encoding.UTF8.GetString(unknown[^1].Data));
        Assert.Equal(0x8000_0003u, c.Option(OptInfo, [0, 0, 0, 9, 1])[^1].Type); // name longer than the data
        var info = c.Option(OptInfo, InfoData("a.vhd", 1, 2, 3));
        Assert.Equal(RepAck, info[^1].Type);
        var items = info.Where(r => r.Type == RepInfo).ToDictionary(r => BinaryPrimitives.ReadUInt16BigEndian(r.Data), r => r.Data);
        Assert.Equal(8 << 20, (long)BinaryPrimitives.ReadUInt64BigEndian(items[0].AsSpan(2)));
        Assert.Equal("a.vhd", Encoding.UTF8.GetString(items[1], 2, items[1].Length - 2));
        Assert.Equal([1u, 4096u, 32u << 20], [BinaryPrimitives.ReadUInt32BigEndian(items[3].AsSpan(2)), BinaryPrimitives.ReadUInt32BigEndian(items[3].AsSpan(6)), BinaryPrimitives.ReadUInt32BigEndian(items[3].AsSpan(10))]);
        c.Go("a.vhd");
        Assert.Equal(8L << 20, c.Size);
        Assert.Equal(0u, c.Request(Read, 0, 512).Error);
    }

    [Fact]
    public void Meta_contexts_need_structured_replies_and_select_base_allocation_only()
    {
        using var c = new RawNbdClient(_host.Port);
        c.SendClientFlags(1);
        Assert.Equal(0x8000_0003u, c.Option(OptSetMeta, MetaContextData("a.vhd", "base:allocation"))[^1].Type);
        Assert.Equal(RepAck, c.Option(OptStructured, [])[^1].Type);
        var listed = c.Option(OptListMeta, MetaContextData("a.vhd"));
        Assert.Equal([RepMetaContext, RepAck], listed.Select(r => r.Type));
        Assert.Equal("base:allocation", Encoding.UTF8.GetString(listed[0].Data, 4, listed[0].Data.Length - 4));
        Assert.Equal([RepAck], c.Option(OptSetMeta, MetaContextData("a.vhd", "qemu:dirty-bitmap:x", "base:other")).Select(r => r.Type));
        Assert.Equal(0x8000_0003u, c.Option(OptSetMeta, [0, 0, 0, 0, 0, 0, 0, 5])[^1].Type); // 5 queries, no bytes for them
        var set = c.Option(OptSetMeta, MetaContextData("a.vhd", "base:allocation"));
        Assert.Equal([RepMetaContext, RepAck], set.Select(r => r.Type));
        c.Go("a.vhd");
        var status = c.Request(BlockStatus, 0, 2 * Block);
        Assert.Equal(0u, status.Error);
        Assert.Equal([((uint)Block, 3u), ((uint)Block, 0u)], status.Extents);
    }

    [Fact]
    public void Block_status_for_another_export_than_the_one_selected_is_refused()
    {
        using var c = new RawNbdClient(_host.Port);
        c.SendClientFlags(1);
        c.Option(OptStructured, []);
        c.Option(OptSetMeta, MetaContextData("b.vhd", "base:allocation"));
        c.Go("a.vhd");
        var r = c.Request(BlockStatus, 0, 4096);
        Assert.Equal(22u, r.Error);
        Assert.Contains("base:allocation", r.Message);
    }

    [Fact]
    public void Export_name_enters_transmission_with_or_without_the_124_zero_bytes()
    {
        foreach (uint flags in new uint[] { 1, 3 })
        {
            using var c = new RawNbdClient(_host.Port);
            c.SendClientFlags(flags);
            c.SendOption(OptExportName, Encoding.UTF8.GetBytes("a.vhd"));
            var reply = c.ReceiveExactly(flags == 3 ? 10 : 134);
            Assert.Equal(8L << 20, (long)BinaryPrimitives.ReadUInt64BigEndian(reply));
            Assert.All(reply.Skip(10), b => Assert.Equal(0, b));
            var read = c.Request(Read, Block, 4096);
            Assert.Equal(0u, read.Error);
            Assert.Equal(Images.Pattern(4096, 1), read.Data);
        }
    }

    [Fact]
    public void Export_name_of_an_unknown_export_closes_the_connection()
    {
        using var c = new RawNbdClient(_host.Port);
        c.SendClientFlags(1);
        c.SendOption(OptExportName, Encoding.UTF8.GetBytes("nope.vhd"));
        Assert.True(c.ClosedByServer());
    }

    [Fact]
    public void Abort_is_acknowledged_and_the_server_closes()
    {
        using var c = new RawNbdClient(_host.Port);
        c.SendClientFlags(1);
        Assert.Equal(RepAck, c.Option(OptAbort, [])[^1].Type);
        Assert.True(c.ClosedByServer());
    }

    [Theory]
    [InlineData("unknown client flags")]
    [InlineData("bad option magic")]
    [InlineData("oversized option")]
    [InlineData("bad request magic")]
    [InlineData("oversized write")]
    public void A_malformed_packet_closes_that_connection_only(string what)
    {
        using var other = Open(_host.Port, "a.vhd");
        other.Request(Write, 0, 4096, Images.Pattern(4096, 5));
        Assert.Equal(0u, other.Request(Flush, 0, 0).Error);
        using (var c = new RawNbdClient(_host.Port))
        {
            switch (what)
            {
                case "unknown client flags": c.SendClientFlags(0x80); break;
                case "bad option magic": c.SendClientFlags(1); c.SendOption(OptList, [], magic: 0x1122334455667788); break;
                case "oversized option": c.SendClientFlags(1); c.SendOption(OptList, new byte[70_000]); break;
                case "bad request magic":
                    c.SendClientFlags(1);
                    c.Option(OptStructured, []);
                    c.Go("a.vhd");
                    c.SendRequest(0, Read, 1, 0, 512, magic: 0x12560953);
                    break;
                case "oversized write":
                    c.SendClientFlags(1);
                    c.Go("a.vhd");
                    c.SendRequest(0, Write, 1, 0, (32u << 20) + 1);
                    break;
            }
            Assert.True(c.ClosedByServer());
        }
        // The other connection, and its flushed write, are untouched.
        Assert.Equal(Images.Pattern(4096, 5), other.Request(Read, 0, 4096).Data);
        using var fresh = Open(_host.Port, "a.vhd");
        Assert.Equal(Images.Pattern(4096, 5), fresh.Request(Read, 0, 4096).Data);
    }

    [Fact]
    public void Unknown_and_unoffered_commands_get_EINVAL_and_the_connection_goes_on()
    {
        using var c = Open(_host.Port, "a.vhd");
        Assert.Equal(22u, c.Request(99, 0, 512).Error);
        Assert.Equal(22u, c.Request(Cache, 0, 512).Error);
        Assert.Equal(22u, c.Request(Flush, 0, 512).Error);
        Assert.Equal(22u, c.Request(BlockStatus, 0, 0).Error);
        var tooBig = c.Request(Read, 0, (32u << 20) + 512);
        Assert.Equal(22u, tooBig.Error);
        Assert.Contains("maximum payload", tooBig.Message);
        Assert.Equal(Images.Pattern(4096, 1), c.Request(Read, Block, 4096).Data);
    }

    [Fact]
    public void Simple_replies_serve_reads_and_errors_without_structured_replies()
    {
        using var c = Open(_host.Port, "a.vhd", structured: false);
        var read = c.Request(Read, Block, 4096);
        Assert.Equal((0u, 0), (read.Error, read.Chunks));
        Assert.Equal(Images.Pattern(4096, 1), read.Data);
        Assert.Equal(22u, c.Request(Read, (8 << 20) - 100, 512).Error);
        Assert.Equal(22u, c.Request(Read, 0, 512, flags: DontFragment).Error); // DF is only for structured replies
        Assert.Equal(22u, c.Request(BlockStatus, 0, 512).Error);
        Assert.Equal(0u, c.Request(Read, 0, 0).Error);
    }

    [Fact]
    public void A_structured_read_is_one_data_chunk_and_a_zero_length_read_is_a_none_chunk()
    {
        using var c = Open(_host.Port, "a.vhd");
        var read = c.Request(Read, Block + 100, 1000, flags: DontFragment);
        Assert.Equal((0u, 1), (read.Error, read.Chunks));
        Assert.Equal(Images.Pattern(4096, 1).AsSpan(100, 1000).ToArray(), read.Data);
        var empty = c.Request(Read, 0, 0);
        Assert.Equal((0u, 1), (empty.Error, empty.Chunks));
    }

    [Fact]
    public void Write_zeroes_leaves_holes_unallocated_unless_no_hole_is_asked_and_trim_zeroes_data()
    {
        using var c = Open(_host.Port, "b.vhd");
        Assert.Equal(0u, c.Request(WriteZeroes, 0, 2 * Block).Error);
        Assert.Equal([(2u * Block, 3u)], c.Request(BlockStatus, 0, 2 * Block, flags: ReqOne).Extents);
        Assert.Equal(0u, c.Request(WriteZeroes, 2 * Block, Block, flags: NoHole).Error);
        Assert.Equal([((uint)Block, 0u)], c.Request(BlockStatus, 2 * Block, Block, flags: ReqOne).Extents);
        Assert.Equal(new byte[Block], c.Request(Read, 2 * Block, Block).Data);
        c.Request(Write, 4 * Block + 10, 5000, Images.Pattern(5000, 9));
        Assert.Equal(0u, c.Request(Trim, 4 * Block, Block, flags: Fua).Error);
        Assert.Equal(new byte[Block], c.Request(Read, 4 * Block, Block).Data);
        Assert.Equal(0u, c.Request(WriteZeroes, 0, 0).Error);
    }

    [Fact]
    public void Disconnect_releases_the_image_flushed_once_the_last_connection_is_gone()
    {
        using (var c = Open(_host.Port, "b.vhd"))
        {
            Assert.Equal(0u, c.Request(Write, 3 * Block, 4096, Images.Pattern(4096, 21)).Error);
            c.SendRequest(0, Disc, 9, 0, 0);
            Assert.True(c.ClosedByServer());
        }
        // The server closed the image before the socket: another writer may open it now.
        using var disk = VirtualDisk.Open(Images.Fs, _dir["b.vhd"], FileAccess.ReadWrite);
        var back = new byte[4096];
        disk.Read(3 * Block, back);
        Assert.Equal(Images.Pattern(4096, 21), back);
    }

    [Fact]
    public void A_client_that_vanishes_inside_a_write_payload_changes_nothing()
    {
        using (var c = Open(_host.Port, "a.vhd"))
        {
            c.SendRequest(0, Write, 1, 0, 65536, Images.Pattern(10_000, 8));
            c.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            Assert.True(c.ClosedByServer());
        }
        using var again = Open(_host.Port, "a.vhd");
        Assert.Equal(new byte[65536], again.Request(Read, 0, 65536).Data);
    }
}
