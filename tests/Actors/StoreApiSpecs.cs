using System.Diagnostics;
using System.IO.Compression;
using Akka.Configuration;
using Storage.VhdActors;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Xunit;
using Xunit.Abstractions;

namespace Storage.Tests.Actors;

/// <summary>The store's API beyond open and create: AsStream windows, ExistsAsync, DeleteAsync, the trace filter, the synchronous Stream path.</summary>
public sealed class StoreApiSpecs : Akka.TestKit.Xunit2.TestKit
{
    public StoreApiSpecs(ITestOutputHelper output)
        : base(ConfigurationFactory.ParseString(Fixtures.Hocon), nameof(StoreApiSpecs), output)
    {
    }

    [Fact]
    public async Task AsStream_over_a_window_is_a_partition_a_zip_archive_can_live_in()
    {
        var fs = Fixtures.NewFs();
        var store = Fixtures.Start(Sys, Fixtures.Options(fs));
        await using var disk = await store.CreateAsync(Fixtures.P("p.vhd"), Fixtures.Small());
        const long start = 1 << 20, length = 2 << 20;
        var payload = Fixtures.Bytes(300_000, 5);
        long zipLength;
        await using (var window = disk.AsStream(start, length))
        {
            Assert.Equal(length, window.Length);
            using (var zip = new ZipArchive(window, ZipArchiveMode.Create, leaveOpen: true))
            {
                await using var entry = zip.CreateEntry("data.bin").Open();
                await entry.WriteAsync(payload);
            }
            zipLength = window.Position;
        }
        // Nothing outside the window was touched.
        var before = new byte[start];
        await disk.ReadAsync(0, before);
        Assert.All(before, b => Assert.Equal(0, b));
        await using (var window = disk.AsStream(start, zipLength))
        {
            // ZipArchive seeks to the window's end for its end record: the partition is the archive.
            using var zip = new ZipArchive(window, ZipArchiveMode.Read, leaveOpen: true);
            using var back = new MemoryStream();
            await using (var entry = zip.GetEntry("data.bin")!.Open()) await entry.CopyToAsync(back);
            Assert.Equal(payload, back.ToArray());
        }
        await using (var whole = disk.AsStream())
        {
            Assert.Equal(disk.Length, whole.Length);
            whole.Position = start;
            var head = new byte[4];
            whole.ReadExactly(head);
            Assert.Equal(new byte[] { 0x50, 0x4B, 0x03, 0x04 }, head); // a zip's local header
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => disk.AsStream(disk.Length - 10, 11));
        Assert.Throws<ArgumentOutOfRangeException>(() => disk.AsStream(-1, 1));
        // The stream does not own the handle.
        Assert.Equal(4, await disk.ReadAsync(start, new byte[4]));
    }

    [Fact]
    public async Task GetInfoAsync_reports_size_type_chain_and_allocation_open_or_not()
    {
        var fs = Fixtures.NewFs();
        var store = Fixtures.Start(Sys, Fixtures.Options(fs));
        string basePath = Fixtures.P("i.vhd"), child = Fixtures.P("i-1.vhd");
        await using (var disk = await store.CreateAsync(basePath, Fixtures.Small()))
        {
            await disk.WriteAsync(0, new byte[10]);
            // Open here: the open image answers, unflushed allocation included.
            var open = await store.GetInfoAsync(basePath);
            Assert.Equal((basePath, disk.Length, Storage.VhdEngine.Disks.VhdDiskType.Dynamic, 512 * 1024, 512L * 1024), (open.Path, open.Length, open.Type, open.BlockSize, open.AllocatedBytes));
            Assert.Equal([basePath], open.Chain);
            Assert.True(open.FileLength > 512 * 1024);
            Assert.True(disk.CanWrite);
        }
        await store.SnapshotAsync(basePath, child);
        var info = await store.GetInfoAsync(child);
        Assert.Equal(Storage.VhdEngine.Disks.VhdDiskType.Differencing, info.Type);
        Assert.Equal([child, basePath], info.Chain);
        Assert.Equal(0, info.AllocatedBytes);
        Assert.Equal(fs.FileInfo.New(child).Length, info.FileLength);
        // Not open here: opened read-only and closed again, so a writer can take it at once.
        await using (var writer = await store.OpenAsync(child)) Assert.True(writer.CanWrite);
        await Assert.ThrowsAsync<FileNotFoundException>(() => store.GetInfoAsync(Fixtures.P("none.vhd"))); // a missing image is FileNotFoundException (the engine's contract)
    }

    [Fact]
    public async Task ExistsAsync_sees_files_and_open_images()
    {
        var fs = Fixtures.NewFs();
        var store = Fixtures.Start(Sys, Fixtures.Options(fs));
        Assert.False(await store.ExistsAsync(Fixtures.P("e.vhd")));
        await using (await store.CreateAsync(Fixtures.P("e.vhd"), Fixtures.Small()))
            Assert.True(await store.ExistsAsync(Fixtures.P("e.vhd")));
        Assert.True(await store.ExistsAsync("/vhd/../vhd/e.vhd"));
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var e = await Assert.ThrowsAsync<OperationCanceledException>(() => store.ExistsAsync(Fixtures.P("e.vhd"), cts.Token));
        Assert.Equal(cts.Token, e.CancellationToken);
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.ExistsAsync(""));
    }

    [Fact]
    public async Task DeleteAsync_refuses_open_images_and_parents_with_children_and_deletes_the_rest()
    {
        var fs = Fixtures.NewFs();
        var store = Fixtures.Start(Sys, Fixtures.Options(fs));
        string basePath = Fixtures.P("d.vhd"), child = Fixtures.P("d-1.vhd");
        var disk = await store.CreateAsync(basePath, Fixtures.Small());
        var open = await Assert.ThrowsAsync<VhdImageInUseException>(() => store.DeleteAsync(basePath));
        Assert.Contains(basePath, open.Message, StringComparison.Ordinal);
        await disk.DisposeAsync();

        await store.SnapshotAsync(basePath, child);
        await (await store.OpenAsync(child)).DisposeAsync();
        var parent = await Assert.ThrowsAnyAsync<VhdException>(() => store.DeleteAsync(basePath));
        Assert.Contains(child, parent.Message, StringComparison.Ordinal);
        Assert.True(fs.File.Exists(basePath));

        await store.DeleteAsync(child);
        Assert.False(fs.File.Exists(child));
        // The frozen parent has no children left: it goes too (read-only attribute and all).
        await store.DeleteAsync(basePath);
        Assert.False(await store.ExistsAsync(basePath));
        await Assert.ThrowsAnyAsync<Exception>(() => store.DeleteAsync(basePath));

        // Not an image: refused, and the file stays.
        fs.File.WriteAllBytes(Fixtures.P("notes.txt"), [1, 2, 3]);
        await Assert.ThrowsAsync<VhdFormatException>(() => store.DeleteAsync(Fixtures.P("notes.txt")));
        Assert.True(fs.File.Exists(Fixtures.P("notes.txt")));
    }

    [Fact]
    public async Task TraceRequests_decides_which_reads_and_writes_get_spans()
    {
        var fs = Fixtures.NewFs();
        string path = Fixtures.P("t.vhd");
        var seen = new List<DiskRequest>();
        var store = Fixtures.Start(Sys, Fixtures.Options(fs) with
        {
            TraceRequests = r =>
            {
                lock (seen) seen.Add(r);
                return r.Offset == 0;
            },
        });
        using var spans = new SpanRecorder(path);
        await using var disk = await store.CreateAsync(path, Fixtures.Small());
        await disk.WriteAsync(0, new byte[4096]);
        spans.Clear();
        for (int i = 0; i < 10; i++) await disk.ReadAsync(512 * i, new byte[4]);
        // One read of ten gets a span; the filter saw every one, with what it needs to decide.
        Assert.Single(spans.Kinds("vhd.read"));
        lock (seen) Assert.Contains(seen, r => r is { Operation: "vhd.read", Offset: 4608, Length: 4 } && r.ImagePath == path);
        // Lifecycle spans are not filtered.
        await disk.FlushAsync();
        Assert.NotEmpty(spans.Kinds("vhd.flush"));
    }

    [Fact]
    public async Task The_synchronous_stream_path_runs_inline_where_it_can_and_waits_for_the_actor_where_it_must()
    {
        var fs = Fixtures.NewFs();
        string path = Fixtures.P("s.vhd");
        var store = Fixtures.Start(Sys, Fixtures.Options(fs));
        using var spans = new SpanRecorder(path);
        await using var disk = await store.CreateAsync(path, Fixtures.Small());
        var data = Fixtures.Bytes(8192, 9);
        // Run on a thread of our own: nothing here may need a thread-pool thread to complete.
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var stream = disk.AsStream();
                stream.Write(data);          // buffered
                stream.Flush();              // allocates block 0: the actor's, the caller waits for its reply
                spans.Clear();
                stream.Position = 0;
                var back = new byte[data.Length];
                stream.ReadExactly(back);    // allocated: inline
                Assert.Equal(data, back);
                Assert.True(spans.RanInline("vhd.read"));
                spans.Clear();
                stream.Position = 512;
                stream.Write(data.AsSpan(0, 1024));
                stream.Flush();              // into allocated space: inline, then the flush message
                Assert.True(spans.RanInline("vhd.write"));
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(60)), "the synchronous stream calls did not return");
        if (failure is not null) throw new Xunit.Sdk.XunitException($"synchronous stream path failed: {failure}");
        var check = new byte[1024];
        await disk.ReadAsync(512, check);
        Assert.Equal(data.AsSpan(0, 1024).ToArray(), check);
    }
}
