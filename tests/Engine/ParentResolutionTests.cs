using System.IO.Abstractions;
using System.IO.Abstractions.TestingHelpers;
using System.Text;
using Storage.Tests.Engine.Support;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;
using Xunit;

namespace Storage.Tests.Engine;

/// <summary>
/// How a differencing image finds its parent: each locator form Hyper-V, Virtual PC and qemu write
/// (W2ru relative, W2ku absolute, MacX file:// URL), the header's parent name last, and the error
/// naming every candidate tried when none is the parent.
/// </summary>
public class ParentResolutionTests(SamplesFixture samples) : IClassFixture<SamplesFixture>
{
    private const int K = 1024, M = 1024 * 1024;
    private const string ChildPath = "/d/child.vhd";

    /// <summary>Locator data as Windows tools write it: UTF-16LE.</summary>
    private static (uint, byte[]) W2ru(string text) => (ParentLocator.W2ru, Encoding.Unicode.GetBytes(text));

    private static (uint, byte[]) W2ku(string text) => (ParentLocator.W2ku, Encoding.Unicode.GetBytes(text));

    /// <summary>Locator data as Virtual PC for Mac writes it: a UTF-8 file URL.</summary>
    private static (uint, byte[]) MacX(string text) => (ParentLocator.MacX, Encoding.UTF8.GetBytes(text));

    private static (uint, byte[]) Locator(string code, string text) => code switch
    {
        "W2ru" => W2ru(text),
        "W2ku" => W2ku(text),
        _ => MacX(text),
    };

    /// <summary>
    /// A parent at <paramref name="parentPath"/> (byte 0 is 42) and its child at /d/child.vhd made by
    /// CreateDifferencing, whose locators are then rewritten to <paramref name="locators"/> (laid out after
    /// the BAT) and its parent name to <paramref name="name"/>.
    /// </summary>
    private static MockFileSystem Child(string parentPath, string name, params (uint Code, byte[] Data)[] locators) =>
        Child(Img.NewFs(), parentPath, name, locators);

    private static MockFileSystem Child(MockFileSystem fs, string parentPath, string name, params (uint Code, byte[] Data)[] locators)
    {
        fs.Directory.CreateDirectory(fs.Path.GetDirectoryName(parentPath)!);
        using (var b = VirtualDisk.Create(fs, parentPath, new VhdCreateOptions { Size = M, BlockSize = 512 * K }))
        {
            b.Write(0, [42]);
            b.Flush();
        }
        using (VirtualDisk.CreateDifferencing(fs, ChildPath, parentPath)) { }
        var made = fs.File.ReadAllBytes(ChildPath);
        var h = Img.Header(made);
        long start = (long)h.TableOffset + BlockAllocationTable.BytesOnDisk(h.MaxTableEntries);
        var laid = VirtualDisk.LayOutLocators([.. locators], start, out long end);
        long footerAt = ImageMetadata.FirstBlockOffset(end, VhdConstants.BitmapBytes(h.BlockSize));
        var child = new byte[footerAt + VhdConstants.FooterSize];
        made.AsSpan(0, (int)start).CopyTo(child);
        for (int i = 0; i < locators.Length; i++)
            locators[i].Data.CopyTo(child, (int)laid[i].PlatformDataOffset);
        made.AsSpan(made.Length - VhdConstants.FooterSize).CopyTo(child.AsSpan((int)footerAt));
        Img.PatchHeader(child, x => x with { ParentLocators = laid, ParentUnicodeNameBytes = DynamicHeader.EncodeParentName(name) });
        fs.File.WriteAllBytes(ChildPath, child);
        return fs;
    }

    private static void AssertOpensWithParent(MockFileSystem fs, string parentPath)
    {
        using var d = VirtualDisk.Open(fs, ChildPath);
        Assert.Equal(parentPath, d.Parent!.Path);
        Assert.Equal([ChildPath, parentPath], d.Chain);
        var b = new byte[1];
        d.Read(0, b);
        Assert.Equal(42, b[0]);
    }

    /// <summary>The open's error, which must name the child, the field and every candidate tried.</summary>
    private static string Tried(MockFileSystem fs)
    {
        var e = Assert.Throws<VhdFormatException>(() => VirtualDisk.Open(fs, ChildPath).Dispose());
        Assert.Equal(ChildPath, e.Path);
        Assert.Equal("parent locator", e.Field);
        const string prefix = $"{ChildPath}: parent locator: parent of '{ChildPath}' not found; tried ";
        Assert.StartsWith(prefix, e.Message);
        return e.Message[prefix.Length..];
    }

    // The parent name in these is one no file in the child's folder has, so only the locator can find the parent.
    [Theory]
    [InlineData("/d/base.vhd", "W2ru", @".\base.vhd")]            // Hyper-V's relative form
    [InlineData("/p/base.vhd", "W2ru", @"..\p\base.vhd")]
    [InlineData("/d/p", "W2ru", "p")]                            // a one-letter relative name
    [InlineData("/d/sub/base.vhd", "W2ru", @"sub\base.vhd")]
    [InlineData("/p/base.vhd", "W2ku", @"\p\base.vhd")]           // absolute, rooted without a drive
    [InlineData("/p/base.vhd", "MacX", "file:///p/base.vhd")]    // Virtual PC for Mac
    [InlineData("/p/base.vhd", "MacX", "file://localhost/p/base.vhd")]
    [InlineData("/p/bäse 1.vhd", "MacX", "FILE:///p/b%C3%A4se%201.vhd")]
    [InlineData("/p/bäse.vhd", "MacX", "file:///p/bäse.vhd")]   // UTF-8, not UTF-16
    public void Each_locator_form_a_tool_writes_finds_the_parent(string parentPath, string code, string text)
    {
        var fs = Child(parentPath, @"C:\elsewhere\none.vhd", Locator(code, text));
        AssertOpensWithParent(fs, parentPath);
    }

    [Theory]
    [InlineData(@"C:\vms\base.vhd")]   // Hyper-V writes the parent's full path
    [InlineData("/p/base.vhd")]
    [InlineData("base.vhd")]
    public void Without_locators_the_parent_names_file_in_the_childs_folder_is_the_parent(string name)
    {
        var fs = Child("/d/base.vhd", name);
        AssertOpensWithParent(fs, "/d/base.vhd");
    }

    [Fact]
    public void The_qemu_sample_with_only_a_parent_name_finds_its_parent_beside_it()
    {
        var fs = Img.NewFs();
        fs.File.WriteAllBytes("/d/image.vhd", samples.Bytes("image.vhd"));
        fs.File.WriteAllBytes("/d/image-differential.vhd", samples.Bytes("image-differential.vhd"));
        using var d = VirtualDisk.Open(fs, "/d/image-differential.vhd", FileAccess.Read, new VhdOpenOptions { AcceptChecksumMismatch = true });
        Assert.Equal("/d/image.vhd", d.Parent!.Path);
    }

    [Fact]
    public void Every_candidate_is_named_in_resolution_order_W2ru_W2ku_MacX_then_the_name()
    {
        // The slots hold them in another order; a locator without data is no candidate.
        var fs = Child("/p/base.vhd", @"C:\vms\gone.vhd",
            MacX("file:///m/gone.vhd"), W2ku(@"\k\gone.vhd"), (ParentLocator.W2ru, []), W2ru(@"..\r\gone.vhd"), (ParentLocator.W2ku, []));
        Assert.Equal(
            @"W2ru locator '..\r\gone.vhd': '/r/gone.vhd' does not exist; "
            + @"W2ku locator '\k\gone.vhd': '/k/gone.vhd' does not exist; "
            + "MacX locator 'file:///m/gone.vhd': '/m/gone.vhd' does not exist; "
            + @"parent name 'C:\vms\gone.vhd': '/d/gone.vhd' does not exist", Tried(fs));
    }

    [Fact]
    public void A_child_without_locators_or_parent_name_says_so()
    {
        var fs = Child("/p/base.vhd", "");
        Assert.Equal("no parent locator and no parent name", Tried(fs));
    }

    [Theory]
    [InlineData(@"C:\p\base.vhd")]        // drive letter
    [InlineData(@"z:\base.vhd")]
    [InlineData("C:")]                    // the drive alone
    [InlineData(@"\\server\share\base.vhd")] // UNC
    public void A_windows_drive_or_UNC_locator_is_not_resolvable_on_this_host(string text)
    {
        var fs = Child("/p/base.vhd", "", W2ku(text));
        Assert.Equal($"W2ku locator '{text}': not resolvable on this host", Tried(fs));
    }

    [Theory]
    [InlineData("http:///p/base.vhd")]     // another scheme, though the path after it exists
    [InlineData("file://server")]          // no path
    [InlineData("/p/base.vhd")]            // no URL at all
    public void A_MacX_locator_that_is_no_file_URL_is_not_resolvable(string text)
    {
        var fs = Child("/p/base.vhd", "", MacX(text));
        Assert.Equal($"MacX locator '{text}': not resolvable on this host", Tried(fs));
    }

    [Theory]
    [InlineData(@"C:\vms\")]   // no file name
    [InlineData(@"C:\vms\.")]
    [InlineData(@"C:\vms\..")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("/")]
    public void A_parent_name_that_names_a_folder_is_not_resolvable(string name)
    {
        var fs = Child("/p/base.vhd", name);
        Assert.Equal($"parent name '{name}': not resolvable on this host", Tried(fs));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(510)] // too short to hold even the 511-byte footer older Virtual PC wrote
    public void A_candidate_too_short_to_be_an_image_is_skipped_for_the_next(int length)
    {
        var fs = Child("/p/base.vhd", "", W2ru(@".\short.vhd"), W2ku(@"\p\base.vhd"));
        fs.File.WriteAllBytes("/d/short.vhd", new byte[length]);
        AssertOpensWithParent(fs, "/p/base.vhd");
        fs.File.Delete("/p/base.vhd");
        Assert.Equal($@"W2ru locator '.\short.vhd': '/d/short.vhd' is {length} bytes, not an image file; "
            + @"W2ku locator '\p\base.vhd': '/p/base.vhd' does not exist", Tried(fs));
    }

    [Theory]
    [InlineData(VhdConstants.FooterSize)]
    [InlineData(VhdConstants.FooterSize - 1)] // room for a 511-byte footer: a zero-size fixed image of older Virtual PC
    public void A_candidate_that_can_hold_a_footer_is_the_parent_and_its_own_error_surfaces(int length)
    {
        // Not skipped for the next candidate: a damaged parent is reported, not silently replaced.
        var fs = Child("/p/base.vhd", "", W2ru(@".\junk.vhd"), W2ku(@"\p\base.vhd"));
        fs.File.WriteAllBytes("/d/junk.vhd", new byte[length]);
        var e = Assert.Throws<VhdFormatException>(() => VirtualDisk.Open(fs, ChildPath).Dispose());
        Assert.Equal("/d/junk.vhd", e.Path);
        Assert.Equal("footer", e.Field);
    }

    // On the machine's file system: its GetFullPath refuses a path holding a NUL (ArgumentException).
    [Theory]
    [InlineData("W2ru", "x\0y.vhd")]              // a NUL inside the path
    [InlineData("MacX", "file:///p/x%00y.vhd")]   // an escaped NUL
    public void A_locator_whose_path_holds_a_NUL_is_skipped_for_the_next(string code, string text)
    {
        var made = Child("/p/base.vhd", "", Locator(code, text), W2ru(@"..\p\base.vhd"));
        string dir = Directory.CreateTempSubdirectory("vhd-parent-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "d"));
            Directory.CreateDirectory(Path.Combine(dir, "p"));
            File.WriteAllBytes(Path.Combine(dir, "d", "child.vhd"), made.File.ReadAllBytes(ChildPath));
            File.WriteAllBytes(Path.Combine(dir, "p", "base.vhd"), made.File.ReadAllBytes("/p/base.vhd"));
            using var d = VirtualDisk.Open(new FileSystem(), Path.Combine(dir, "d", "child.vhd"));
            Assert.Equal(Path.Combine(dir, "p", "base.vhd"), d.Parent!.Path);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// A file system whose path rules refuse every path holding "refused" with the exception
    /// <c>refusal</c> gives: as .NET Framework's did for a colon past the drive (NotSupportedException)
    /// or for a long path (PathTooLongException).
    /// </summary>
    private sealed class RefusingPathFs : MockFileSystem
    {
        private readonly IPath? _path;

        public RefusingPathFs(Func<Exception> refusal)
        {
            _path = new RefusingPath(this, refusal);
            Directory.CreateDirectory(Img.Dir);
        }

        public override IPath Path => _path ?? base.Path;

        private sealed class RefusingPath(MockFileSystem fs, Func<Exception> refusal) : MockPath(fs)
        {
            public override string GetFullPath(string path) => path.Contains("refused", StringComparison.Ordinal) ? throw refusal() : base.GetFullPath(path);
        }
    }

    [Theory]
    [InlineData("W2ru", @".\refused.vhd", false)]
    [InlineData("W2ru", @".\refused.vhd", true)]
    [InlineData("MacX", "file:///p/refused.vhd", false)]
    [InlineData("MacX", "file:///p/refused.vhd", true)]
    public void A_locator_whose_path_the_host_does_not_support_is_skipped_for_the_next(string code, string text, bool tooLong)
    {
        var fs = new RefusingPathFs(() => tooLong ? new PathTooLongException("too long") : new NotSupportedException("not supported"));
        Child(fs, "/p/base.vhd", "", Locator(code, text), W2ku(@"\p\base.vhd"));
        AssertOpensWithParent(fs, "/p/base.vhd");
    }

    [Fact]
    public void A_parent_in_the_same_folder_is_written_as_Hyper_V_writes_it()
    {
        var fs = Img.NewFs();
        using (VirtualDisk.Create(fs, "/d/base.vhd", new VhdCreateOptions { Size = M, BlockSize = 512 * K })) { }
        using var c = VirtualDisk.CreateDifferencing(fs, ChildPath, "/d/base.vhd");
        Assert.Equal([("W2ru", @".\base.vhd"), ("W2ku", @"\d\base.vhd")], c.Info.ParentLocators.Select(l => (l.PlatformCode, l.Location)));
    }

    [Fact]
    public void A_parent_in_another_folder_is_written_relative_without_a_dot_prefix()
    {
        var fs = Img.NewFs();
        fs.Directory.CreateDirectory("/p/q");
        using (VirtualDisk.Create(fs, "/p/q/base.vhd", new VhdCreateOptions { Size = M, BlockSize = 512 * K })) { }
        using var c = VirtualDisk.CreateDifferencing(fs, ChildPath, "/p/q/base.vhd");
        Assert.Equal([("W2ru", @"..\p\q\base.vhd"), ("W2ku", @"\p\q\base.vhd")], c.Info.ParentLocators.Select(l => (l.PlatformCode, l.Location)));
    }
}
