using System.IO.Abstractions.TestingHelpers;
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
}
