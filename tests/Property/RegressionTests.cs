using System.IO.Abstractions;
using System.IO.Abstractions.TestingHelpers;
using System.Runtime.InteropServices;
using System.Text;
using Storage.Fuzz;
using Storage.Vhd.Format;
using Storage.Vhd;
using Storage.Vhd.Disks;
using Storage.Vhd.Maintenance;
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
                var b = new ImageBuilder(16384, 4096) { Type = DiskType.Differencing, ParentId = Guid.NewGuid() };
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
