using Storage.FaultInjection;
using Storage.Tests.Engine.Support;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Xunit;

namespace Storage.Tests.Engine;

/// <summary>What VirtualDisk.Open refuses before it takes any lock, and how it names the refusal.</summary>
public sealed class OpenRefusalTests
{
    private const int M = 1 << 20;

    [Fact]
    public void Null_arguments_are_refused_by_name()
    {
        Assert.Equal("fs", Assert.Throws<ArgumentNullException>(() => VirtualDisk.Open(null!, "/d/a.vhd")).ParamName);
        Assert.Equal("path", Assert.Throws<ArgumentNullException>(() => VirtualDisk.Open(Img.NewFs(), null!)).ParamName);
    }

    [Fact]
    public void A_missing_image_is_a_FileNotFoundException_naming_it()
    {
        var fs = Img.NewFs();
        string full = fs.Path.GetFullPath("/d/none.vhd");
        var e = Assert.Throws<FileNotFoundException>(() => VirtualDisk.Open(fs, "/d/none.vhd", FileAccess.ReadWrite));
        Assert.Equal(full, e.FileName);
        Assert.Equal($"{full}: no such image file", e.Message);
    }

    [Fact]
    public void An_image_open_as_a_parent_is_refused_for_writing_saying_so()
    {
        var fs = Img.NewFs();
        VirtualDisk.Create(fs, "/d/p.vhd", new VhdCreateOptions { Size = 4 * M }).Dispose();
        using var child = VirtualDisk.CreateDifferencing(fs, "/d/c.vhd", "/d/p.vhd");
        var e = Assert.Throws<VhdImageInUseException>(() => VirtualDisk.Open(fs, "/d/p.vhd", FileAccess.ReadWrite));
        Assert.True(e.ForWriting);
        Assert.Contains("parent of another open image", e.Message);
    }

    [Fact]
    public void Reopening_a_disk_that_does_not_own_its_lock_is_refused_as_closed()
    {
        var fs = Img.NewFs();
        VirtualDisk.Create(fs, "/d/a.vhd", new VhdCreateOptions { Size = 4 * M }).Dispose();
        string full = fs.Path.GetFullPath("/d/a.vhd");
        using var held = ImageLock.Acquire(fs, full, ImageLockMode.Shared);
        using var d = VirtualDisk.OpenOver(held, VhdOpenOptions.Default, new ChainContext(), ownsLock: false);
        var e = Assert.Throws<ObjectDisposedException>(() => d.Reopen());
        Assert.Contains($"{full}: the disk is closed", e.Message);
    }

    [Fact]
    public void A_child_whose_end_footer_repair_fails_does_not_open_and_lets_go_of_its_parent()
    {
        var plan = new FaultPlan();
        var fs = new FaultFileSystem(Img.NewFs(), plan);
        VirtualDisk.Create(fs, "/d/p.vhd", new VhdCreateOptions { Size = 4 * M }).Dispose();
        VirtualDisk.CreateDifferencing(fs, "/d/c.vhd", "/d/p.vhd").Dispose();
        byte[] child = fs.File.ReadAllBytes("/d/c.vhd");
        Array.Clear(child, child.Length - 512, 512); // end footer gone: a writable open writes it back
        fs.File.WriteAllBytes("/d/c.vhd", child);
        plan.FailFlushToDiskAt(fs.FlushToDiskCount);

        Assert.Throws<VhdIOException>(() => VirtualDisk.Open(fs, "/d/c.vhd", FileAccess.ReadWrite));
        using var parent = VirtualDisk.Open(fs, "/d/p.vhd", FileAccess.ReadWrite);
    }
}
