using System.Diagnostics;
using System.IO.Abstractions;
using System.Text.Json;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;
using Storage.VhdEngine.Maintenance;
using Xunit;

namespace Storage.Tests.Tool;

public class ConvertTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A raw image with random data in some 1 MiB regions and zeros elsewhere.</summary>
    private static byte[] MixedImage(int megabytes, int seed)
    {
        var data = new byte[megabytes << 20];
        var rnd = new Random(seed);
        for (int mb = 0; mb < megabytes; mb++)
        {
            if (mb % 3 != 0) continue;
            // Partial regions too: a few KiB of data inside otherwise zero space.
            rnd.NextBytes(data.AsSpan((mb << 20) + (mb % 2) * 300_000, mb % 2 == 0 ? 1 << 20 : 5000));
        }
        return data;
    }

    private static JsonElement Info(string image) => JsonDocument.Parse(Vhd.Ok("info", image, "--json").Out).RootElement;

    private static long AllocatedBytes(string path)
    {
        var psi = new ProcessStartInfo("stat", ["-c", "%b %B", path]) { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        var parts = p.StandardOutput.ReadToEnd().Trim().Split(' ');
        p.WaitForExit();
        return long.Parse(parts[0]) * long.Parse(parts[1]);
    }

    [Fact]
    public void RawToDynamicToRawToFixedIsByteIdentical()
    {
        var raw = MixedImage(12, 1);
        File.WriteAllBytes(_dir["a.raw"], raw);
        Vhd.Ok("convert", _dir["a.raw"], _dir["b.vhd"], "--to", "dynamic", "--exact-size", "--block-size", "1M");
        var b = Info(_dir["b.vhd"]);
        Assert.Equal(raw.Length, b.GetProperty("virtualSize").GetInt64());
        // 1 MiB blocks: only the megabytes holding data are allocated.
        Assert.Equal(4, b.GetProperty("allocatedBlocks").GetInt32());
        Vhd.Ok("convert", _dir["b.vhd"], _dir["c.raw"], "--to", "raw");
        Assert.Equal(raw, File.ReadAllBytes(_dir["c.raw"]));
        Vhd.Ok("convert", _dir["c.raw"], _dir["d.vhd"], "--to", "fixed", "--exact-size");
        Assert.Equal("fixed", Info(_dir["d.vhd"]).GetProperty("type").GetString());
        Vhd.Ok("convert", _dir["d.vhd"], _dir["e.raw"], "--to", "raw");
        Assert.Equal(raw, File.ReadAllBytes(_dir["e.raw"]));
        Vhd.Ok("convert", _dir["d.vhd"], _dir["f.vhd"], "--to", "dynamic");
        Assert.Equal(raw.Length, Info(_dir["f.vhd"]).GetProperty("virtualSize").GetInt64());
        Assert.Equal(raw, Vhd.Ok("read", _dir["f.vhd"], "--offset", "0", "--length", raw.Length.ToString()).Bytes);
    }

    [Fact]
    public void RawSizeIsRoundedToTheGeometryUnlessExact()
    {
        var raw = MixedImage(5, 2);
        File.WriteAllBytes(_dir["a.raw"], raw);
        Vhd.Ok("convert", _dir["a.raw"], _dir["b.vhd"], "--to", "dynamic");
        long size = Info(_dir["b.vhd"]).GetProperty("virtualSize").GetInt64();
        Assert.Equal(DiskGeometry.ForCreate(raw.Length).VirtualSize, size);
        Assert.True(size > raw.Length);
        Vhd.Ok("convert", _dir["b.vhd"], _dir["c.raw"], "--to", "raw");
        var back = File.ReadAllBytes(_dir["c.raw"]);
        Assert.Equal(size, back.Length);
        Assert.Equal(raw, back.AsSpan(0, raw.Length).ToArray());
        Assert.DoesNotContain(back.AsSpan(raw.Length).ToArray(), x => x != 0);
        // A VHD to VHD conversion keeps the size, rounded or not.
        Vhd.Ok("convert", _dir["b.vhd"], _dir["d.vhd"], "--to", "fixed");
        Assert.Equal(size, Info(_dir["d.vhd"]).GetProperty("virtualSize").GetInt64());
        Vhd.Ok("convert", _dir["a.raw"], _dir["e.vhd"], "--to", "fixed", "--exact-size");
        Assert.Equal(raw.Length, Info(_dir["e.vhd"]).GetProperty("virtualSize").GetInt64());
    }

    [Fact]
    public void RawOutputIsSparse()
    {
        string image = _dir["big.vhd"];
        Vhd.Ok("create", image, "--size", "256M");
        var data = ReadWriteTests.Random(100_000, 4);
        Vhd.RunWithInput(data, "write", image, "--offset", "100M");
        Vhd.Ok("convert", image, _dir["big.raw"], "--to", "raw");
        var info = new FileInfo(_dir["big.raw"]);
        Assert.Equal(Info(image).GetProperty("virtualSize").GetInt64(), info.Length);
        Assert.True(AllocatedBytes(_dir["big.raw"]) < 4 << 20, $"raw output allocates {AllocatedBytes(_dir["big.raw"])} bytes");
        using var f = File.OpenRead(_dir["big.raw"]);
        f.Position = 100 << 20;
        var back = new byte[data.Length];
        f.ReadExactly(back);
        Assert.Equal(data, back);
        // A fixed target is sparse on the host the same way.
        Vhd.Ok("convert", image, _dir["big-fixed.vhd"], "--to", "fixed");
        Assert.True(AllocatedBytes(_dir["big-fixed.vhd"]) < 4 << 20);
    }

    [Fact]
    public void DifferencingChainIsFlattened()
    {
        string baseImage = _dir["base.vhd"], child = _dir["child.vhd"], grandchild = _dir["grandchild.vhd"];
        Vhd.Ok("create", baseImage, "--size", "6M", "--exact-size", "--block-size", "512K");
        var model = new byte[6 << 20];
        void Write(string image, int offset, byte[] bytes)
        {
            Assert.Equal(0, Vhd.RunWithInput(bytes, "write", image, "--offset", offset.ToString()).ExitCode);
            bytes.CopyTo(model, offset);
        }
        Write(baseImage, 0, ReadWriteTests.Random(1 << 20, 5));
        Vhd.Ok("snapshot", baseImage, child);
        Write(child, 1000, ReadWriteTests.Random(3000, 6));
        Write(child, 3 << 20, ReadWriteTests.Random(5000, 7));
        Vhd.Ok("snapshot", child, grandchild);
        Write(grandchild, 2000, ReadWriteTests.Random(100, 8));

        Vhd.Ok("convert", grandchild, _dir["flat.vhd"], "--to", "dynamic");
        var flat = Info(_dir["flat.vhd"]);
        Assert.Equal("dynamic", flat.GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Null, flat.GetProperty("parent").ValueKind);
        Assert.Equal(model.Length, flat.GetProperty("virtualSize").GetInt64());
        Assert.Equal(model, Vhd.Ok("read", _dir["flat.vhd"], "--offset", "0", "--length", "6M").Bytes);
        Vhd.Ok("convert", grandchild, _dir["flat.raw"], "--to", "raw");
        Assert.Equal(model, File.ReadAllBytes(_dir["flat.raw"]));
    }

    [Fact]
    public void ExistingTargetIsRefusedAndLeftAlone()
    {
        File.WriteAllBytes(_dir["a.raw"], MixedImage(1, 9));
        File.WriteAllText(_dir["b.vhd"], "precious");
        var r = Vhd.Run("convert", _dir["a.raw"], _dir["b.vhd"], "--to", "dynamic");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("already exists", Assert.Single(r.ErrLines));
        Assert.Equal("precious", File.ReadAllText(_dir["b.vhd"]));
        r = Vhd.Run("convert", _dir["a.raw"], _dir["a.raw"], "--to", "raw");
        Assert.Equal(1, r.ExitCode);
    }

    [Fact]
    public void APartialTargetIsDeletedOnFailure()
    {
        var fs = new FileSystem();
        string target = _dir["t.vhd"];
        var options = new VhdCreateOptions { Size = 1 << 20, ExactSize = true };
        // More bytes than the disk holds: the copy fails after the target was created.
        var e = Assert.Throws<VhdException>(() => Converter.ConvertToVhd(new MemoryStream(ReadWriteTests.Random(3 << 20, 10)), fs, target, options));
        Assert.Contains("more than the target", e.Message);
        Assert.False(File.Exists(target));
        Assert.Empty(Directory.GetFiles(_dir.Path));

        using var cts = new CancellationTokenSource();
        cts.Cancel();
        File.WriteAllBytes(_dir["a.raw"], MixedImage(2, 11));
        Assert.ThrowsAny<OperationCanceledException>(() => Converter.Convert(fs, _dir["a.raw"], _dir["x.raw"], new ConvertOptions { To = DiskImageFormat.Raw }, cancellationToken: cts.Token));
        Assert.False(File.Exists(_dir["x.raw"]));
    }

    [Fact]
    public void ProbeAndLibraryApi()
    {
        var fs = new FileSystem();
        File.WriteAllBytes(_dir["a.raw"], MixedImage(3, 12));
        Assert.Equal(DiskImageFormat.Raw, Converter.Probe(fs, _dir["a.raw"]));
        var progress = new List<long>();
        var result = Converter.Convert(fs, _dir["a.raw"], _dir["a.vhd"], new ConvertOptions { To = DiskImageFormat.Dynamic, ExactSize = true }, new SyncProgress(progress.Add));
        Assert.Equal(DiskImageFormat.Raw, result.Source);
        Assert.Equal(3 << 20, result.VirtualSize);
        Assert.Equal(3L << 20, progress[^1]);
        Assert.Equal(DiskImageFormat.Vhd, Converter.Probe(fs, _dir["a.vhd"]));
        using var disk = VirtualDisk.Open(fs, _dir["a.vhd"]);
        var raw = Converter.ConvertToRaw(disk, fs, _dir["b.raw"]);
        Assert.Equal(DiskImageFormat.Vhd, raw.Source);
        Assert.Equal(File.ReadAllBytes(_dir["a.raw"]), File.ReadAllBytes(_dir["b.raw"]));
        // One random 1 MiB region; the zeros around it are not written.
        Assert.Equal(1 << 20, raw.DataBytesWritten);
    }

    private sealed class SyncProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
