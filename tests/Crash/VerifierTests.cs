using Storage.CrashTesting;
using Storage.CrashTesting.Workloads;
using Storage.FaultInjection;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;
using Xunit;

namespace Storage.Tests.Crash;

/// <summary>The verifier itself: a sound image passes, and each kind of damage is reported for what it is.</summary>
public sealed class VerifierTests
{
    private const int S = SectorCodec.SectorSize;

    /// <summary>first-write-differencing run to its end (flushed), crashed with nothing pending, plus its context.</summary>
    private static (FaultFileSystem Crashed, WorkloadContext Ctx, long DataStart) Finished(bool differencing = true)
    {
        var workload = new FirstWriteWorkload(differencing);
        var template = WorkloadTemplate.Build(workload);
        var ctx = template.Instantiate();
        workload.Run(ctx);
        ctx.CloseAll();
        var crashed = ctx.FileSystem.CrashedCopy(CrashState.Prefix(ctx.FileSystem.Epoch, 0), WorkloadTemplate.NewInner());
        string path = WorkloadContext.PathOf(differencing ? Images.Child : Images.Disk);
        using var file = BlockFile.Open(crashed, path, writable: false);
        var metadata = ImageMetadata.Load(file);
        long block = differencing ? 0 : 1;
        long dataStart = (long)metadata.Bat![block] * S + metadata.BitmapBytes;
        return (crashed, ctx, dataStart);
    }

    private static void Patch(FaultFileSystem fs, string name, long offset, byte[] bytes)
    {
        using var stream = fs.File.Open(WorkloadContext.PathOf(name), FileMode.Open, FileAccess.ReadWrite);
        stream.Position = offset;
        stream.Write(bytes);
        stream.Flush(true);
    }

    private static byte[] Stamped(int writeId, long sector)
    {
        var bytes = new byte[S];
        new SectorCodec().Encode(SectorCodec.Stamp(writeId, sector), bytes);
        return bytes;
    }

    [Fact]
    public void A_sound_image_passes_every_check()
    {
        var (crashed, ctx, _) = Finished();
        Assert.Empty(StateVerifier.Verify(crashed, ctx.Images, ctx.Codec, VerifyLevel.Full));
    }

    [Fact]
    public void Another_sectors_data_is_reported_as_such()
    {
        var (crashed, ctx, dataStart) = Finished();
        // Child sector 3 (written by the workload) gets the stamp of sector 9.
        Patch(crashed, Images.Child, dataStart + 3 * S, Stamped(1, 9));
        string problems = string.Join("\n", StateVerifier.Verify(crashed, ctx.Images, ctx.Codec, VerifyLevel.Basic));
        Assert.Contains("sector 3 ", problems, StringComparison.Ordinal);
        Assert.Contains("another sector's data", problems, StringComparison.Ordinal);
    }

    [Fact]
    public void A_flushed_write_that_reads_zeros_is_reported()
    {
        var (crashed, ctx, dataStart) = Finished(differencing: false);
        Patch(crashed, Images.Disk, dataStart + 4 * S, new byte[S]);
        string problems = string.Join("\n", StateVerifier.Verify(crashed, ctx.Images, ctx.Codec, VerifyLevel.Basic));
        Assert.Contains("reads zeros", problems, StringComparison.Ordinal);
        Assert.Contains("(flushed)", problems, StringComparison.Ordinal);
    }

    [Fact]
    public void Footer_bytes_in_data_are_reported_as_garbage()
    {
        var (crashed, ctx, dataStart) = Finished(differencing: false);
        var footer = new byte[S];
        using (var stream = crashed.File.OpenRead(WorkloadContext.PathOf(Images.Disk)))
        {
            stream.Position = 0;
            stream.ReadExactly(footer);
        }

        Patch(crashed, Images.Disk, dataStart, footer);
        string problems = string.Join("\n", StateVerifier.Verify(crashed, ctx.Images, ctx.Codec, VerifyLevel.Basic));
        Assert.Contains("mixed bytes", problems, StringComparison.Ordinal);
        Assert.Contains(Convert.ToHexString("conectix"u8), problems, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bitmap_that_is_a_footer_fails_the_check()
    {
        var (crashed, ctx, dataStart) = Finished(differencing: false);
        var footer = new byte[S];
        using (var stream = crashed.File.OpenRead(WorkloadContext.PathOf(Images.Disk)))
            stream.ReadExactly(footer);
        Patch(crashed, Images.Disk, dataStart - S, footer);
        string problems = string.Join("\n", StateVerifier.Verify(crashed, ctx.Images, ctx.Codec, VerifyLevel.Basic));
        Assert.Contains("check reports errors", problems, StringComparison.Ordinal);
        Assert.Contains("holds a footer", problems, StringComparison.Ordinal);
    }

    [Fact]
    public void A_durable_image_that_is_missing_is_reported()
    {
        var (crashed, ctx, _) = Finished();
        crashed.File.Delete(WorkloadContext.PathOf(Images.Child));
        string problems = string.Join("\n", StateVerifier.Verify(crashed, ctx.Images, ctx.Codec, VerifyLevel.Basic));
        Assert.Contains("missing, but it was durably created", problems, StringComparison.Ordinal);
    }

    [Fact]
    public void An_image_that_does_not_open_is_reported_with_the_exception()
    {
        var (crashed, ctx, _) = Finished(differencing: false);
        Patch(crashed, Images.Disk, 512, new byte[8]); // the dynamic header's cookie
        string problems = string.Join("\n", StateVerifier.Verify(crashed, ctx.Images, ctx.Codec, VerifyLevel.Basic));
        Assert.Contains("read-only open failed: VhdFormatException", problems, StringComparison.Ordinal);
    }

    [Fact]
    public void The_model_allows_exactly_the_durable_value_and_later_writes()
    {
        var model = new ImageModel(64 * S, 0);
        model.Write(1, SectorCodec.Stamp(1, 1));
        model.MarkDurable();
        model.Write(1, SectorCodec.Stamp(2, 1));
        model.Write(1, SectorCodec.Stamp(3, 1));
        var history = model.Sectors[1];
        Assert.True(history.Allows(SectorCodec.Stamp(1, 1)));
        Assert.True(history.Allows(SectorCodec.Stamp(2, 1)));
        Assert.True(history.Allows(SectorCodec.Stamp(3, 1)));
        Assert.False(history.Allows(0));
        model.MarkDurable();
        Assert.False(history.Allows(SectorCodec.Stamp(2, 1)));
        Assert.True(history.Allows(SectorCodec.Stamp(3, 1)));

        // A write that threw stays possible, with what was there before it, even after a later flush.
        model.Write(1, SectorCodec.Stamp(4, 1));
        model.WriteCompleted(1, succeeded: false);
        model.MarkDurable();
        Assert.True(history.Allows(SectorCodec.Stamp(3, 1)));
        Assert.True(history.Allows(SectorCodec.Stamp(4, 1)));
        model.Write(1, SectorCodec.Stamp(5, 1));
        model.WriteCompleted(1, succeeded: true);
        Assert.True(history.Allows(SectorCodec.Stamp(3, 1)));
        model.MarkDurable();
        Assert.False(history.Allows(SectorCodec.Stamp(3, 1)));
        Assert.True(history.Allows(SectorCodec.Stamp(5, 1)));
    }

    [Fact]
    public void The_codec_tells_stamps_zeros_and_garbage_apart()
    {
        var codec = new SectorCodec();
        var sector = new byte[S];
        Assert.Equal(0UL, SectorCodec.Decode(sector));
        codec.Encode(SectorCodec.Stamp(7, 42), sector);
        Assert.Equal(SectorCodec.Stamp(7, 42), SectorCodec.Decode(sector));
        Assert.Equal("write 7", SectorCodec.Describe(SectorCodec.Decode(sector), 42));
        sector[100] ^= 1;
        ulong mixed = codec.Register(sector);
        Assert.False(SectorCodec.IsStamp(mixed));
        var back = new byte[S];
        codec.Encode(mixed, back);
        Assert.Equal(sector, back);
        Array.Fill(sector, (byte)0xFF);
        Assert.False(SectorCodec.IsStamp(SectorCodec.Decode(sector)));
    }
}
