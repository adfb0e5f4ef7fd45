using System.IO.Abstractions.TestingHelpers;
using Storage.FaultInjection;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;
using Storage.VhdTool;
using Xunit;

namespace Storage.Tests.Crash;

/// <summary>
/// One `vhd write` is one user write: a crash before its flush returns may keep or lose each
/// sector it covers, but never tear one (half old bytes, half new). The tool cuts its input into
/// engine writes; at an offset that is not a multiple of 512 it used to cut at offset + k MiB,
/// inside a sector, so that sector was written by two engine writes and a crash between them
/// left it torn (issue 14).
/// </summary>
public sealed class WriteCommandTearTests
{
    private const string Image = "/img/a.vhd";

    [Theory]
    [InlineData(VhdDiskType.Fixed, 100)]
    [InlineData(VhdDiskType.Dynamic, 4096 + 3)]
    [InlineData(VhdDiskType.Fixed, 0)]
    public void A_crash_during_vhd_write_never_tears_a_sector(VhdDiskType type, long offset)
    {
        const int length = (1 << 20) + 300_000; // two engine writes at least
        var fs = new FaultFileSystem(new MockFileSystem());
        fs.Directory.CreateDirectory("/img");
        byte[] old = Fill(4 << 20, 0x11);
        using (var disk = VirtualDisk.Create(fs, Image, new VhdCreateOptions { Type = type, Size = 4 << 20 }))
        {
            disk.Write(0, old); // every block allocated: the tool's writes go in place
            disk.Flush();
        }
        fs.Sync();

        byte[] input = Fill(length, 0xA5);
        var crashed = new List<(CrashState State, FaultFileSystem Files)>();
        fs.FlushingToDisk += (_, _) =>
        {
            // The first fsync of the tool's flush: everything it wrote is pending.
            if (crashed.Count > 0) return;
            foreach (var state in fs.EnumerateCrashStates()) crashed.Add((state, fs.CrashedCopy(state, new MockFileSystem())));
        };
        var o = new StringWriter();
        var e = new StringWriter();
        var env = new ToolEnvironment(fs, o, e, new MemoryStream(input), new MemoryStream());
        int code = Program.Run(["write", Image, "--offset", offset.ToString(System.Globalization.CultureInfo.InvariantCulture)], env);
        Assert.True(code == 0, o.ToString() + e);
        Assert.NotEmpty(crashed);

        var torn = new List<string>();
        foreach (var (state, files) in crashed)
        {
            using var disk = VirtualDisk.Open(files, Image);
            var content = new byte[disk.Length];
            disk.Read(0, content);
            long first = offset / VhdConstants.SectorSize, last = (offset + length - 1) / VhdConstants.SectorSize;
            for (long s = first; s <= last; s++)
            {
                var sector = content.AsSpan((int)(s * VhdConstants.SectorSize), VhdConstants.SectorSize);
                if (!IsOldOrNew(sector, s * VhdConstants.SectorSize, offset, old, input)) torn.Add($"{state}: sector {s}");
            }
        }
        Assert.True(torn.Count == 0, $"{torn.Count} torn sector(s) in {crashed.Count} crash states: {string.Join(", ", torn.Take(10))}");
    }

    /// <summary>The sector at <paramref name="start"/> holds its old bytes everywhere, or the new ones wherever the input covers it.</summary>
    private static bool IsOldOrNew(ReadOnlySpan<byte> sector, long start, long offset, byte[] old, byte[] input)
    {
        bool allOld = sector.SequenceEqual(old.AsSpan((int)start, sector.Length));
        bool allNew = true;
        for (int i = 0; i < sector.Length && allNew; i++)
        {
            long at = start + i;
            byte expected = at >= offset && at < offset + input.Length ? input[at - offset] : old[at];
            allNew = sector[i] == expected;
        }
        return allOld || allNew;
    }

    private static byte[] Fill(int length, byte value) => Enumerable.Repeat(value, length).ToArray();
}
