using System.IO.Abstractions;
using System.IO.Abstractions.TestingHelpers;
using System.Runtime.InteropServices;
using System.Text;
using Storage.Fuzz;
using Storage.VhdEngine.Format;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Maintenance;
using Xunit;

namespace Storage.Tests.Property;

/// <summary>Engine bugs found by the property tests and the fuzzer, one test each.</summary>
public class RegressionTests
{
    private static MockFileSystem With(byte[] image)
    {
        var fs = new MockFileSystem();
        fs.AddFile("/r/image.vhd", new MockFileData(image));
        return fs;
    }

    /// <summary>
    /// AFL (CrashInputs/afl-run1-00.bin): a 511-byte file with no valid footer made open read the
    /// end cookie for its error message at offset -1: ArgumentOutOfRangeException, not VhdFormatException.
    /// </summary>
    [Theory]
    [InlineData(511)]
    [InlineData(512)]
    [InlineData(1023)]
    public void A_file_of_a_footer_or_less_without_a_footer_is_a_format_error(int length)
    {
        var fs = With(new byte[length]);
        var e = Assert.Throws<VhdFormatException>(() => VirtualDisk.Open(fs, "/r/image.vhd"));
        Assert.Equal("footer", e.Field);
        Assert.False(Checker.Check(fs, "/r/image.vhd").IsClean);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int mkfifo(string path, uint mode);

    /// <summary>
    /// Hostile-image generator (real file system): a differencing image whose W2ku locator names a
    /// FIFO made read-only open block forever in open(2) of the "parent" (DESIGN.md §3: never a
    /// hang). Parents must be regular image files: a candidate too short to hold a footer (FIFOs,
    /// devices and /proc files all stat as 0 bytes) is skipped, and the resolver goes on to the next.
    /// </summary>
    [Fact]
    public void A_parent_locator_naming_a_fifo_or_a_device_does_not_hang_open()
    {
        Assert.True(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "a Unix host is needed for mkfifo");
        string dir = Path.Combine(Path.GetTempPath(), "storage-fifo-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string fifo = Path.Combine(dir, "parent.vhd");
            Assert.Equal(0, mkfifo(fifo, Convert.ToUInt32("600", 8)));
            foreach (string target in new[] { fifo, "/dev/zero", "/dev/null" })
            {
                var b = new ImageBuilder(16384, 4096) { Type = VhdDiskType.Differencing, ParentId = Guid.NewGuid() };
                b.Locator(ParentLocator.W2ku, Encoding.Unicode.GetBytes(target.Replace('/', '\\')));
                string child = Path.Combine(dir, "child.vhd");
                File.WriteAllBytes(child, b.Build());
                var open = Task.Run(() =>
                {
                    using var d = VirtualDisk.Open(new FileSystem(), child);
                });
                // A hang guard, not a timing assertion: without the fix open never returns.
                if (!((IAsyncResult)open).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(60)))
                {
                    using (new FileStream(fifo, FileMode.Open, FileAccess.Write)) { } // unblock the reader
                    Assert.Fail($"open of a child whose parent locator names '{target}' hung");
                }
                var e = Assert.IsType<VhdFormatException>(open.Exception?.InnerException);
                Assert.Equal("parent locator", e.Field);
                Assert.Contains(target, e.Message);
                File.Delete(child);
            }
        }
        finally { TempDirs.Delete(dir); }
    }
}

/// <summary>Writes never reach past the bytes open validated.</summary>
public class WriteBoundsRegressionTests
{
    /// <summary>
    /// Found reviewing what the harness's tail write can reach: a differencing image whose virtual
    /// size is not a whole number of sectors, whose last block holds only the used bytes
    /// (3712 = 7.25 sectors) followed directly by the end footer. Open checked the block against
    /// its used bytes, but a differencing write always writes whole sectors, so writing the last
    /// partial sector overwrote the first bytes of the end footer. Open now refuses that image
    /// (the block must hold its used bytes in whole sectors), and the same image with the last
    /// sector whole opens, takes the write inside the block and keeps its end footer (here the
    /// copy at offset 0 is damaged too, so losing the end footer would make the image unopenable).
    /// </summary>
    [Fact]
    public void A_write_to_the_last_partial_sector_never_overwrites_the_end_footer()
    {
        const int size = 16000, block = 4096;
        var parentId = Guid.NewGuid();
        var parent = new ImageBuilder(size, block) { UniqueId = parentId }.Block(3, SeedImages.Fill(block, 1)).Build();
        var full = new ImageBuilder(size, block) { Type = VhdDiskType.Differencing, ParentId = parentId, ParentName = "parent.vhd" }
            .Locator(ParentLocator.W2ru, Encoding.Unicode.GetBytes(@".\parent.vhd"))
            .Block(3, SeedImages.Fill(block, 2), new byte[512])
            .Build();
        full[64] ^= 0xFF; // the footer copy at 0 no longer counts: the end footer is the only one
        // Cut the block after its 3712 used bytes and put the footer right there.
        long blockStart = full.Length - 512 - 512 - block;
        int end = (int)(blockStart + 512 + (size - 3 * block));
        var cut = full[..end].Concat(full[^512..]).ToArray();

        var fs = new MockFileSystem();
        fs.AddFile("/w/parent.vhd", new MockFileData(parent));
        fs.AddFile("/w/cut.vhd", new MockFileData(cut));
        fs.AddFile("/w/child.vhd", new MockFileData(full));
        var refused = Assert.Throws<VhdFormatException>(() => VirtualDisk.Open(fs, "/w/cut.vhd", FileAccess.ReadWrite));
        Assert.Equal("BAT entry 3", refused.Field);
        Assert.Equal(cut, fs.File.ReadAllBytes("/w/cut.vhd"));

        List<string> warnings;
        using (var disk = VirtualDisk.Open(fs, "/w/child.vhd", FileAccess.ReadWrite))
        {
            warnings = [.. disk.Warnings];
            Assert.DoesNotContain(warnings, w => w.Contains("no valid footer", StringComparison.Ordinal));
            Assert.Equal(3712, disk.Length - 3 * block);
            disk.Write(size - 100, SeedImages.Fill(100, 3));
            disk.Flush();
        }
        Assert.Equal(full.Length, fs.File.ReadAllBytes("/w/child.vhd").Length);
        using var reopened = VirtualDisk.Open(fs, "/w/child.vhd");
        Assert.Equal(warnings, reopened.Warnings);
        var tail = new byte[100];
        reopened.Read(size - 100, tail);
        Assert.Equal(SeedImages.Fill(100, 3), tail);
    }
}
