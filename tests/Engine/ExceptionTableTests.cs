using System.IO.Abstractions.TestingHelpers;
using Storage.Tests.Engine.Support;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Maintenance;
using Xunit;
using Xunit.Abstractions;

namespace Storage.Tests.Engine;

/// <summary>
/// The engine's error contract as a user meets it, through the public API only: for each operation
/// and failure, the exact exception type (never a base type standing in), the parameter name of an
/// argument error, and the image path in the message. The rows it prints (run with
/// <c>--logger "console;verbosity=detailed"</c>) are the exception table of the issue 13 closing note.
/// </summary>
public class ExceptionTableTests(ITestOutputHelper output)
{
    private const string A = "/d/a.vhd";

    private T Row<T>(string operation, Action call, string mustName = A) where T : Exception
    {
        var e = Assert.Throws<T>(call);
        Assert.Contains(mustName, e.Message);
        output.WriteLine($"| {operation} | {typeof(T).Name}{ParamOf(e)} | {e.Message.Replace("|", "\\|").Replace("\n", " ")} |");
        return e;
    }

    private static string ParamOf(Exception e) => e is ArgumentException { ParamName: { } p } ? $" ({p})" : "";

    private static MockFileSystem WithDynamic(string path = A)
    {
        var fs = Img.NewFs();
        VirtualDisk.Create(fs, path, new VhdCreateOptions { Size = 4 * Img.M, BlockSize = 512 * Img.K }).Dispose();
        return fs;
    }

    [Fact]
    public void OpenAndCreate()
    {
        var fs = WithDynamic();
        var missing = Row<FileNotFoundException>("Open: no such file", () => VirtualDisk.Open(fs, "/d/none.vhd"), "/d/none.vhd");
        Assert.Equal("/d/none.vhd", missing.FileName);
        Row<FileNotFoundException>("Open: no such directory", () => VirtualDisk.Open(fs, "/nodir/x.vhd"), "/nodir/x.vhd");
        Row<ArgumentException>("Open: ForceShare for writing", () => VirtualDisk.Open(fs, A, FileAccess.ReadWrite, new VhdOpenOptions { ForceShare = true }));
        Assert.Throws<ArgumentNullException>(() => VirtualDisk.Open(fs, null!));

        fs.File.WriteAllBytes("/d/junk.vhd", new byte[4096]);
        var format = Row<VhdFormatException>("Open: not a VHD (hostile input)", () => VirtualDisk.Open(fs, "/d/junk.vhd"), "/d/junk.vhd");
        Assert.Equal("/d/junk.vhd", format.Path);

        using (VirtualDisk.Open(fs, A, FileAccess.ReadWrite))
        {
            var inUse = Row<VhdImageInUseException>("Open: held by a writer", () => VirtualDisk.Open(fs, A, FileAccess.ReadWrite));
            Assert.True(inUse.ForWriting);
        }
        fs.File.SetAttributes(A, FileAttributes.ReadOnly);
        Row<VhdException>("Open for writing: file read-only (frozen parent)", () => VirtualDisk.Open(fs, A, FileAccess.ReadWrite));
        fs.File.SetAttributes(A, FileAttributes.Normal);

        Row<VhdException>("Create: file exists", () => VirtualDisk.Create(fs, A, new VhdCreateOptions { Size = Img.M }));
        Row<ArgumentOutOfRangeException>("Create: size 0", () => VirtualDisk.Create(fs, "/d/b.vhd", new VhdCreateOptions { Size = 0 }), "(VhdCreateOptions.Size)");
        Row<ArgumentOutOfRangeException>("Create: block size 3000", () => VirtualDisk.Create(fs, "/d/b.vhd", new VhdCreateOptions { Size = Img.M, BlockSize = 3000 }), "(VhdCreateOptions.BlockSize)");
        Row<ArgumentException>("Create: differencing type", () => VirtualDisk.Create(fs, "/d/b.vhd", new VhdCreateOptions { Size = Img.M, Type = VhdDiskType.Differencing }), "(VhdCreateOptions.Type)");
        Row<ArgumentException>("CreateDifferencing: own parent", () => VirtualDisk.CreateDifferencing(fs, A, A));
        Row<FileNotFoundException>("CreateDifferencing: no parent file", () => VirtualDisk.CreateDifferencing(fs, "/d/c.vhd", "/d/none.vhd"), "/d/none.vhd");
        Assert.False(fs.File.Exists("/d/b.vhd"));
        Assert.False(fs.File.Exists("/d/c.vhd"));
    }

    [Fact]
    public void ReadWriteAndDispose()
    {
        var fs = WithDynamic();
        var buffer = new byte[512];
        using (var ro = VirtualDisk.Open(fs, A))
        {
            Row<ArgumentOutOfRangeException>("Read: offset past the end", () => ro.Read(ro.Length + 1, buffer));
            Row<ArgumentOutOfRangeException>("Read: buffer runs past the end", () => ro.Read(ro.Length - 1, buffer));
            Row<VhdException>("Write: disk open read-only", () => ro.Write(0, buffer));
            Row<ArgumentOutOfRangeException>("MayContainData: negative length", () => ro.MayContainData(0, -1));
        }
        var disk = VirtualDisk.Open(fs, A, FileAccess.ReadWrite);
        Row<ArgumentOutOfRangeException>("Write: negative offset", () => disk.Write(-1, buffer));
        disk.Dispose();
        var closed = Row<ObjectDisposedException>("Read: disk closed", () => disk.Read(0, buffer));
        Assert.Equal(nameof(VirtualDisk), closed.ObjectName);
        Row<ObjectDisposedException>("Flush: disk closed", disk.Flush);
        Row<ObjectDisposedException>("Info: disk closed", () => _ = disk.Info);
    }

    [Fact]
    public void Maintenance()
    {
        var fs = WithDynamic();
        Row<FileNotFoundException>("Check: no such file", () => VhdMaintenance.Check(fs, "/d/none.vhd"), "/d/none.vhd");
        Row<FileNotFoundException>("Repair: no such file", () => VhdMaintenance.Repair(fs, "/d/none.vhd"), "/d/none.vhd");
        Row<FileNotFoundException>("Convert: no such source", () => VhdMaintenance.Convert(fs, "/d/none.vhd", "/d/out.raw"), "/d/none.vhd");
        fs.File.WriteAllBytes("/d/out.raw", [1]);
        Row<VhdException>("Convert: target exists", () => VhdMaintenance.Convert(fs, A, "/d/out.raw"), "/d/out.raw");
        Row<VhdException>("Commit: not a differencing image", () => VhdMaintenance.Commit(fs, A));
        Row<FileNotFoundException>("Snapshot: no such image", () => VhdMaintenance.Snapshot(fs, "/d/none.vhd", "/d/s.vhd"), "/d/none.vhd");
        Assert.Equal("childPath", Row<ArgumentException>("Snapshot: child is the image", () => VhdMaintenance.Snapshot(fs, A, A)).ParamName);
        using (VhdMaintenance.Snapshot(fs, A, "/d/s.vhd")) { }
        Row<VhdException>("Snapshot: child exists", () => VhdMaintenance.Snapshot(fs, A, "/d/s.vhd"), "/d/s.vhd");
        fs.File.SetAttributes(A, FileAttributes.Normal);
        fs.File.Delete(A);
        Row<VhdFormatException>("Open: differencing image's parent missing", () => VirtualDisk.Open(fs, "/d/s.vhd"), "/d/s.vhd");
    }
}
