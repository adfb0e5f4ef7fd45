using System.Text;
using Storage.FaultInjection;
using Storage.Tests.Engine.Support;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Format;
using Xunit;

namespace Storage.Tests.Engine;

/// <summary>
/// What <see cref="VirtualDisk.Create"/> and <see cref="VirtualDisk.CreateDifferencing"/> put in the
/// file, the syncs they owe (DESIGN.md §4: the built file, then its directory after the rename), the
/// arguments they refuse, and that a failed create leaves nothing behind.
/// </summary>
public sealed class CreateTests
{
    private const int K = 1024, M = 1024 * 1024;
    private const string Path = "/d/a.vhd";

    private static byte[] Bytes(TestFs fs) => fs.File.ReadAllBytes(Path);

    [Fact]
    public void A_fixed_footer_names_the_creator_and_host_has_no_data_offset_and_keeps_the_timestamp()
    {
        var time = new DateTimeOffset(2020, 5, 6, 7, 8, 9, TimeSpan.Zero);
        var fs = Img.NewFs();
        using (VirtualDisk.Create(fs, Path, new VhdCreateOptions { Type = VhdDiskType.Fixed, Size = M, Timestamp = time, ExactSize = true })) { }
        var img = fs.File.ReadAllBytes(Path);
        Assert.Equal(M + 512, img.Length);
        var footer = Img.EndFooter(img);
        Assert.Equal("svhd"u8.ToArray(), img.AsSpan(M + 28, 4).ToArray());
        Assert.Equal("Wi2k"u8.ToArray(), img.AsSpan(M + 36, 4).ToArray());
        Assert.Equal(VhdConstants.NoDataOffset, footer.DataOffset);
        Assert.Equal(VhdConstants.ToTimestamp(time.UtcDateTime), footer.Timestamp);
        Assert.True(img.AsSpan(0, M).IndexOfAnyExcept((byte)0) < 0);
    }

    [Fact]
    public void A_dynamic_header_has_one_entry_a_block_and_no_parent_name()
    {
        var fs = Img.NewFs();
        using (VirtualDisk.Create(fs, Path, new VhdCreateOptions { Size = 4 * M, BlockSize = 512 * K, ExactSize = true })) { }
        var img = fs.File.ReadAllBytes(Path);
        var header = Img.Header(img);
        Assert.Equal(8u, header.MaxTableEntries);
        Assert.True(header.ParentUnicodeNameBytes.Span.IndexOfAnyExcept((byte)0) < 0);
        Assert.Equal("svhd"u8.ToArray(), img.AsSpan(28, 4).ToArray());
    }

    [Fact]
    public void A_table_over_a_megabyte_is_all_free_and_nothing_else_is_written()
    {
        // 300 000 entries (1.2 MB of table): WriteEmptyTable writes it in two pieces.
        const long size = 300_000L * 512 * K;
        var fs = Img.NewFs();
        using (VirtualDisk.Create(fs, Path, new VhdCreateOptions { Size = size, BlockSize = 512 * K, ExactSize = true })) { }
        var img = fs.File.ReadAllBytes(Path);
        var header = Img.Header(img);
        Assert.Equal(300_000u, header.MaxTableEntries);
        int table = (int)header.TableOffset, batBytes = (int)BlockAllocationTable.BytesOnDisk(300_000);
        Assert.True(img.AsSpan(table, batBytes).IndexOfAnyExcept((byte)0xFF) < 0);
        int end = img.Length - 512;
        Assert.True(img.AsSpan(table + batBytes, end - table - batBytes).IndexOfAnyExcept((byte)0) < 0);
        Assert.Equal(Img.Footer(img, 0).ToArray(), img.AsSpan(end).ToArray());
    }

    [Fact]
    public void The_largest_size_is_allowed()
    {
        var fs = Img.NewFs();
        using var d = VirtualDisk.Create(fs, Path, new VhdCreateOptions { Size = VhdConstants.MaxDynamicSize, BlockSize = VhdConstants.MaxBlockSize });
        Assert.Equal(VhdConstants.MaxDynamicSize, d.Length);
    }

    [Theory]
    [InlineData(0, 512)]
    [InlineData(1, 512)]
    [InlineData(512, 512)]
    [InlineData(513, 1024)]
    [InlineData(1025, 1536)]
    public void Locator_data_takes_whole_sectors_at_least_one(int length, int space)
    {
        var locators = VirtualDisk.LayOutLocators([(ParentLocator.W2ru, new byte[length]), (ParentLocator.W2ku, new byte[1])], 4096, out long end);
        Assert.Equal((uint)space, locators[0].PlatformDataSpace);
        Assert.Equal(4096UL, locators[0].PlatformDataOffset);
        Assert.Equal((ulong)(4096 + space), locators[1].PlatformDataOffset);
        Assert.Equal(4096 + space + 512, end);
    }

    [Theory]
    [InlineData(VhdDiskType.Fixed)]
    [InlineData(VhdDiskType.Dynamic)]
    public void Create_syncs_the_file_then_the_directory_and_nothing_more(VhdDiskType type)
    {
        var fs = new TestFs(handles: false);
        using (VirtualDisk.Create(fs, Path, new VhdCreateOptions { Type = type, Size = M, BlockSize = 512 * K }))
            Assert.Equal(2, fs.Count("fsync"));
    }

    [Fact]
    public void Create_refuses_null_arguments_by_name()
    {
        var fs = Img.NewFs();
        var o = new VhdCreateOptions { Size = M };
        Assert.Equal("fs", Assert.Throws<ArgumentNullException>(() => VirtualDisk.Create(null!, Path, o)).ParamName);
        Assert.Equal("path", Assert.Throws<ArgumentNullException>(() => VirtualDisk.Create(fs, null!, o)).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => VirtualDisk.Create(fs, Path, null!)).ParamName);
        Assert.Equal("fs", Assert.Throws<ArgumentNullException>(() => VirtualDisk.CreateDifferencing(null!, Path, "/d/p.vhd")).ParamName);
        Assert.Equal("path", Assert.Throws<ArgumentNullException>(() => VirtualDisk.CreateDifferencing(fs, null!, "/d/p.vhd")).ParamName);
        Assert.Equal("parentPath", Assert.Throws<ArgumentNullException>(() => VirtualDisk.CreateDifferencing(fs, Path, null!)).ParamName);
        Assert.Empty(fs.Directory.GetFiles(Img.Dir));
    }

    [Fact]
    public void CreateDifferencing_uses_the_options_given_and_leaves_no_child_it_cannot_open()
    {
        var fs = Img.NewFs();
        using (VirtualDisk.Create(fs, "/d/p.vhd", new VhdCreateOptions { Size = M })) { }
        Assert.ThrowsAny<VhdException>(() => VirtualDisk.CreateDifferencing(fs, Path, "/d/p.vhd", new VhdOpenOptions { AllowedParentRoot = "/elsewhere" }));
        Assert.False(fs.File.Exists(Path));
        Assert.Equal(["/d/p.vhd"], fs.Directory.GetFiles(Img.Dir).Select(f => f.Replace('\\', '/')));
    }

    [Fact]
    public void CreateDifferencing_ignores_ForceShare_a_writer_on_the_parent_refuses_it()
    {
        var fs = Img.NewFs();
        using var parent = VirtualDisk.Create(fs, "/d/p.vhd", new VhdCreateOptions { Size = M });
        Assert.Throws<VhdImageInUseException>(() => VirtualDisk.CreateDifferencing(fs, Path, "/d/p.vhd", new VhdOpenOptions { ForceShare = true }));
        Assert.Throws<VhdImageInUseException>(() => VirtualDisk.CreateDifferencing(fs, Path, "/d/p.vhd"));
        Assert.False(fs.File.Exists(Path));
    }

    [Theory]
    [InlineData("write")]
    [InlineData("setlength")]
    [InlineData("fsync")]
    public void A_failed_write_while_building_propagates_the_files_error_and_leaves_nothing(string op)
    {
        var boom = new IOException("boom");
        var fs = new TestFs(handles: false) { Fault = o => o == op ? boom : null };
        var e = Assert.Throws<VhdIOException>(() => VirtualDisk.Create(fs, Path, new VhdCreateOptions { Size = M }));
        // BlockFile's own VhdIOException, not wrapped again.
        Assert.Same(boom, e.InnerException);
        fs.Fault = null;
        Assert.Empty(fs.Directory.GetFiles(Img.Dir));
    }

    [Fact]
    public void A_failed_directory_sync_after_the_rename_is_a_VhdIOException_and_removes_the_image()
    {
        int syncs = 0;
        var fs = new TestFs(handles: false) { Fault = o => o == "fsync" && ++syncs == 2 ? new IOException("dir") : null };
        var e = Assert.Throws<VhdIOException>(() => VirtualDisk.Create(fs, Path, new VhdCreateOptions { Size = M }));
        Assert.False(e.DiskUsable);
        Assert.Equal($"{Path}: create failed: dir", e.Message);
        Assert.Equal(2, syncs);
        fs.Fault = null;
        Assert.Empty(fs.Directory.GetFiles(Img.Dir));
    }

    [Theory]
    [InlineData(VhdDiskType.Fixed)]
    [InlineData(VhdDiskType.Dynamic)]
    public void A_file_that_cannot_be_sized_fails_the_create_and_leaves_nothing(VhdDiskType type)
    {
        var boom = new IOException("no room");
        var fs = new TestFs(handles: false) { Fault = o => o == "setlength" ? boom : null };
        var e = Assert.Throws<VhdIOException>(() => VirtualDisk.Create(fs, Path, new VhdCreateOptions { Type = type, Size = M, BlockSize = 512 * K }));
        Assert.Same(boom, e.InnerException);
        fs.Fault = null;
        Assert.Empty(fs.Directory.GetFiles(Img.Dir));
    }

    [Fact]
    public void A_cleanup_delete_that_fails_too_leaves_the_creates_own_error_to_surface()
    {
        // Every operation fails from the first after the open: the build fails, then so does the
        // best-effort delete of the temporary file. The caller must see the create's error.
        var plan = new FaultPlan().FailAt(1, fromThenOn: true);
        var fs = new FaultFileSystem(Img.NewFs(), plan);
        var e = Assert.Throws<VhdIOException>(() => VirtualDisk.Create(fs, Path, new VhdCreateOptions { Size = M }));
        Assert.IsType<InjectedFaultException>(e.InnerException);
        Assert.Contains(fs.Trace, t => t.Kind == FaultOperationKind.Delete);
    }

    [Fact]
    public void A_rename_that_fails_removes_the_temporary_file()
    {
        // A directory where the image should go: not a file that exists, but the rename onto it fails.
        var fs = Img.NewFs();
        fs.Directory.CreateDirectory(Path);
        Assert.Throws<VhdIOException>(() => VirtualDisk.Create(fs, Path, new VhdCreateOptions { Size = M }));
        Assert.Empty(fs.Directory.GetFiles(Img.Dir));
        Assert.True(fs.Directory.Exists(Path));
    }

    [Fact]
    public void Another_failure_after_the_rename_propagates_as_is_and_removes_the_image()
    {
        int syncs = 0;
        var odd = new InvalidOperationException("odd");
        var fs = new TestFs(handles: false) { Fault = o => o == "fsync" && ++syncs == 2 ? odd : null };
        Assert.Same(odd, Assert.Throws<InvalidOperationException>(() => VirtualDisk.Create(fs, Path, new VhdCreateOptions { Size = M })));
        fs.Fault = null;
        Assert.Empty(fs.Directory.GetFiles(Img.Dir));
    }

    [Fact]
    public void A_child_at_the_root_directory_fails_at_the_rename_and_leaves_nothing()
    {
        var fs = Img.NewFs();
        using (VirtualDisk.Create(fs, "/d/p.vhd", new VhdCreateOptions { Size = M })) { }
        var e = Record.Exception(() => VirtualDisk.CreateDifferencing(fs, "/", "/d/p.vhd").Dispose());
        Assert.IsType<VhdIOException>(e);
        Assert.False(fs.File.Exists("/.creating"));
    }
}
