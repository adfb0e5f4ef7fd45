using System.IO.Abstractions;
using Storage.Tests.Engine.Support;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Xunit;

namespace Storage.Tests.Engine;

/// <summary>
/// One writer per image (DESIGN.md §10) on a MockFileSystem, where the lock is the open's share
/// mode: every rule between writers, readers, force-share readers and the parents of open chains.
/// </summary>
public sealed class ImageLockTests
{
    private const string A = "/d/a.vhd";

    private static IFileSystem WithImage()
    {
        var fs = Img.NewFs();
        using (var d = VirtualDisk.Create(fs, A, new VhdCreateOptions { Size = 4 * Img.M, BlockSize = 512 * Img.K }))
        {
            d.Write(0, [1, 2, 3]);
            d.Flush();
        }
        return fs;
    }

    private static readonly VhdOpenOptions Share = new() { ForceShare = true };

    [Fact]
    public void A_second_writer_is_refused_naming_the_image_and_the_holder()
    {
        var fs = WithImage();
        using var writer = VirtualDisk.Open(fs, A, FileAccess.ReadWrite);
        var e = Assert.Throws<VhdImageInUseException>(() => VirtualDisk.Open(fs, A, FileAccess.ReadWrite));
        Assert.True(e.ForWriting);
        Assert.Equal(A, e.Path);
        Assert.StartsWith($"{A}: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("held for writing by this process", e.Message, StringComparison.Ordinal);
        Assert.IsType<IOException>(e.InnerException);
        // The refusal wrote nothing and left the owner working.
        writer.Write(100, [9]);
        writer.Flush();
    }

    [Fact]
    public void A_reader_is_refused_while_a_writer_holds_the_image_and_told_about_force_share()
    {
        var fs = WithImage();
        using var writer = VirtualDisk.Open(fs, A, FileAccess.ReadWrite);
        var e = Assert.Throws<VhdImageInUseException>(() => VirtualDisk.Open(fs, A));
        Assert.False(e.ForWriting);
        Assert.Contains("ForceShare", e.Message, StringComparison.Ordinal);
        Assert.Contains("--force-share", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_force_share_reader_reads_beside_the_writer_with_a_warning()
    {
        var fs = WithImage();
        using var writer = VirtualDisk.Open(fs, A, FileAccess.ReadWrite);
        using var reader = VirtualDisk.Open(fs, A, FileAccess.Read, Share);
        var b = new byte[3];
        reader.Read(0, b);
        Assert.Equal(new byte[] { 1, 2, 3 }, b);
        Assert.Contains(reader.Warnings, w => w.Contains("ForceShare", StringComparison.Ordinal) && w.Contains("held for writing", StringComparison.Ordinal));
        Assert.False(reader.CanWrite);
    }

    [Fact]
    public void Readers_share_and_keep_writers_out_until_the_last_one_closes()
    {
        var fs = WithImage();
        var r1 = VirtualDisk.Open(fs, A);
        var r2 = VirtualDisk.Open(fs, A);
        var e = Assert.Throws<VhdImageInUseException>(() => VirtualDisk.Open(fs, A, FileAccess.ReadWrite));
        Assert.Contains("held for reading by this process", e.Message, StringComparison.Ordinal);
        r1.Dispose();
        Assert.Throws<VhdImageInUseException>(() => VirtualDisk.Open(fs, A, FileAccess.ReadWrite));
        r2.Dispose();
        VirtualDisk.Open(fs, A, FileAccess.ReadWrite).Dispose();
    }

    [Fact]
    public void A_force_share_reader_blocks_no_writer_and_no_reader()
    {
        var fs = WithImage();
        using var shared = VirtualDisk.Open(fs, A, FileAccess.Read, Share);
        Assert.DoesNotContain(shared.Warnings, w => w.Contains("ForceShare", StringComparison.Ordinal));
        using (VirtualDisk.Open(fs, A)) { }
        using var writer = VirtualDisk.Open(fs, A, FileAccess.ReadWrite);
        writer.Write(0, [7]);
    }

    [Fact]
    public void ReopenReadOnly_of_a_force_share_reader_keeps_reading_beside_the_writer()
    {
        var fs = WithImage();
        using var writer = VirtualDisk.Open(fs, A, FileAccess.ReadWrite);
        var shared = VirtualDisk.Open(fs, A, FileAccess.Read, Share);
        // Already read-only: nothing to downgrade, so the force-share open is not turned into a reader the writer refuses.
        using var again = shared.ReopenReadOnly();
        var b = new byte[3];
        again.Read(0, b);
        Assert.Equal(new byte[] { 1, 2, 3 }, b);
        writer.Write(0, [7]);
    }

    [Fact]
    public void Closing_the_writer_frees_the_image_at_once()
    {
        var fs = WithImage();
        VirtualDisk.Open(fs, A, FileAccess.ReadWrite).Dispose();
        using var second = VirtualDisk.Open(fs, A, FileAccess.ReadWrite);
        Assert.True(second.CanWrite);
    }

    [Fact]
    public void Force_share_is_for_readers_only()
    {
        var fs = WithImage();
        var e = Assert.Throws<ArgumentException>(() => VirtualDisk.Open(fs, A, FileAccess.ReadWrite, Share));
        Assert.Equal("options", e.ParamName);
        Assert.StartsWith($"{A}: only read-only opens", e.Message); // the image first, as every message
        Assert.Contains("(VhdOpenOptions.ForceShare)", e.Message);
        VirtualDisk.Open(fs, A, FileAccess.ReadWrite).Dispose();
    }

    [Fact]
    public void The_parent_of_an_open_chain_is_held_shared()
    {
        var fs = WithImage();
        using var child = VirtualDisk.CreateDifferencing(fs, "/d/c.vhd", A);
        Assert.Throws<VhdImageInUseException>(() => VirtualDisk.Open(fs, A, FileAccess.ReadWrite));
        // Readers of the parent are welcome, in this chain's process or through their own opens.
        using (var parent = VirtualDisk.Open(fs, A)) Assert.Equal(child.Length, parent.Length);
        // A second chain over the same parent, as a reader of a sibling would have.
        using var sibling = VirtualDisk.CreateDifferencing(fs, "/d/s.vhd", A);
        child.Dispose();
        sibling.Dispose();
        VirtualDisk.Open(fs, A, FileAccess.ReadWrite).Dispose();
    }

    [Fact]
    public void A_writer_refuses_readers_of_the_child_but_the_parent_stays_readable()
    {
        var fs = WithImage();
        using var child = VirtualDisk.CreateDifferencing(fs, "/d/c.vhd", A);
        Assert.Throws<VhdImageInUseException>(() => VirtualDisk.Open(fs, "/d/c.vhd"));
        using var shared = VirtualDisk.Open(fs, "/d/c.vhd", FileAccess.Read, Share);
        Assert.Equal(2, shared.Chain.Count);
    }

    [Fact]
    public void Reopen_keeps_the_lock_the_parents_and_the_data()
    {
        var fs = WithImage();
        using (VirtualDisk.CreateDifferencing(fs, "/d/c.vhd", A)) { }
        var child = VirtualDisk.Open(fs, "/d/c.vhd", FileAccess.ReadWrite);
        child.Write(4096, [5, 6]);
        child.Flush();
        var again = child.Reopen();
        Assert.Throws<ObjectDisposedException>(() => child.Read(0, new byte[1]));
        Assert.True(again.CanWrite);
        var b = new byte[2];
        again.Read(4096, b);
        Assert.Equal(new byte[] { 5, 6 }, b);
        // Still the owner, and the parent is still held.
        Assert.Throws<VhdImageInUseException>(() => VirtualDisk.Open(fs, "/d/c.vhd", FileAccess.ReadWrite));
        Assert.Throws<VhdImageInUseException>(() => VirtualDisk.Open(fs, A, FileAccess.ReadWrite));
        again.Dispose();
        VirtualDisk.Open(fs, "/d/c.vhd", FileAccess.ReadWrite).Dispose();
        VirtualDisk.Open(fs, A, FileAccess.ReadWrite).Dispose();
    }

    [Fact]
    public void ReopenReadOnly_downgrades_to_shared_without_letting_a_writer_in()
    {
        var fs = WithImage();
        var writer = VirtualDisk.Open(fs, A, FileAccess.ReadWrite);
        writer.Write(8192, [4]);
        writer.Flush();
        // As a snapshot does: the file is marked read-only first, so where the share mode is the
        // lock no writer can open it while the handle is reopened.
        fs.File.SetAttributes(A, fs.File.GetAttributes(A) | FileAttributes.ReadOnly);
        using var frozen = writer.ReopenReadOnly();
        Assert.False(frozen.CanWrite);
        Assert.Throws<VhdException>(() => frozen.Write(0, [1]));
        fs.File.SetAttributes(A, FileAttributes.Normal);
        // Shared now: readers come in, writers stay out.
        using (var reader = VirtualDisk.Open(fs, A))
        {
            var b = new byte[1];
            reader.Read(8192, b);
            Assert.Equal(4, b[0]);
        }
        Assert.Throws<VhdImageInUseException>(() => VirtualDisk.Open(fs, A, FileAccess.ReadWrite));
    }

    [Fact]
    public void Check_and_repair_take_the_lock_too()
    {
        var fs = WithImage();
        using (var writer = VirtualDisk.Open(fs, A, FileAccess.ReadWrite))
        {
            Assert.Throws<VhdImageInUseException>(() => Storage.VhdEngine.Maintenance.Checker.Check(fs, A));
            Assert.Throws<VhdImageInUseException>(() => Storage.VhdEngine.Maintenance.Checker.Repair(fs, A));
            var shared = Storage.VhdEngine.Maintenance.Checker.Check(fs, A, Share);
            Assert.Empty(shared.Errors);
            Assert.Contains(shared.Warnings, w => w.Contains("ForceShare", StringComparison.Ordinal));
        }
        Assert.Empty(Storage.VhdEngine.Maintenance.Checker.Check(fs, A).Errors);
    }
}
