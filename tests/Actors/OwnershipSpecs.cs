using System.IO.Abstractions;
using Akka.Actor;
using Akka.Configuration;
using Storage.FaultInjection;
using Storage.VhdActors;
using Storage.VhdActors.Messages;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using Storage.VhdEngine.Maintenance;
using Xunit;
using Xunit.Abstractions;

namespace Storage.Tests.Actors;

/// <summary>
/// One writer per image (DESIGN.md §10) through the actors: two stores over one file system are two
/// processes; the image actor keeps the lock across restarts and idle closes (no new lock is taken,
/// so there is no moment without one), freezes a snapshot's parent in place, stops cleanly when its
/// lock is truly lost, and commits refuse to change a sibling's parent unless forced.
/// </summary>
public sealed class OwnershipSpecs : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    public OwnershipSpecs(ITestOutputHelper output)
        : base(ConfigurationFactory.ParseString(Fixtures.Hocon).WithFallback(VhdActorsConfig.Default), nameof(OwnershipSpecs), output)
    {
    }

    private DiskStore Store(IFileSystem fs, string name, VhdOpenOptions? open = null) =>
        DiskStore.Start(Sys, Fixtures.Options(fs) with { ManagerName = name, OpenOptions = open });

    private IActorRef Manager(IFileSystem fs, TimeSpan? idle = null) => Sys.ActorOf(ImageManager.Props(fs, Fixtures.Options(fs, idle)));

    [Fact]
    public async Task Two_stores_over_one_file_system_are_two_owners()
    {
        var fs = Fixtures.NewFs();
        string path = Fixtures.P("a.vhd");
        Fixtures.CreateImage(fs, path, fill: d => d.Write(0, [1, 2, 3]));
        var a = Store(fs, "store-a");
        var b = Store(fs, "store-b");
        var shared = Store(fs, "store-shared", new VhdOpenOptions { ForceShare = true });

        await using (var writer = await a.OpenAsync(path, FileAccess.ReadWrite))
        {
            var second = await Assert.ThrowsAsync<VhdImageInUseException>(() => b.OpenAsync(path, FileAccess.ReadWrite));
            Assert.True(second.ForWriting);
            Assert.Contains(path, second.Message, StringComparison.Ordinal);
            var reader = await Assert.ThrowsAsync<VhdImageInUseException>(() => b.OpenAsync(path, FileAccess.Read));
            Assert.False(reader.ForWriting);
            await writer.WriteAsync(3, new byte[] { 4 });
            await using (var peek = await shared.OpenAsync(path, FileAccess.Read))
            {
                var bytes = new byte[4];
                await peek.ReadAsync(0, bytes);
                Assert.Equal(new byte[] { 1, 2, 3 }, bytes[..3]);
            }
            // A force-share store still writes only with the exclusive lock: refused.
            await Assert.ThrowsAsync<VhdImageInUseException>(() => shared.OpenAsync(path, FileAccess.ReadWrite));
        }
        // The last handle closed the image, and its lock with it.
        await using var now = await b.OpenAsync(path, FileAccess.ReadWrite);
        var back = new byte[4];
        await now.ReadAsync(0, back);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, back);
    }

    [Fact]
    public void An_idle_image_stays_owned_and_its_next_actor_adopts_it_without_a_new_lock()
    {
        var plan = new FaultPlan();
        var fs = new FaultFileSystem(Fixtures.NewFs(), plan);
        string path = Fixtures.P("a.vhd");
        Fixtures.CreateImage(fs, path);
        var manager = Manager(fs, idle: TimeSpan.FromMilliseconds(300));
        manager.Tell(new OpenImage(path, FileAccess.ReadWrite));
        ExpectMsg<ImageOpened>(Wait);
        var actor = LastSender;
        manager.Tell(new WriteImage(path, 4096, new byte[] { 7 }));
        ExpectMsg<ImageAck>(Wait);
        long locks = plan.LockRequestCount;
        Watch(actor);
        ExpectTerminated(actor, Wait);

        // Its actor is gone, its ownership is not.
        Assert.Throws<VhdImageInUseException>(() => VirtualDisk.Open(fs, path, FileAccess.ReadWrite));
        Assert.Throws<VhdImageInUseException>(() => VirtualDisk.Open(fs, path));
        manager.Tell(new ReadImage(path, 4096, 1));
        Assert.Equal(7, ExpectMsg<ImageData>(Wait).Data[0]);
        Assert.NotEqual(actor, LastSender);
        Assert.Equal(locks + 2, plan.LockRequestCount); // the two refused opens above, nothing of ours

        manager.Tell(new CloseImage(path));
        ExpectMsg<ImageAck>(Wait);
        VirtualDisk.Open(fs, path, FileAccess.ReadWrite).Dispose();
    }

    [Fact]
    public void A_restart_reopens_the_image_over_the_lock_it_holds()
    {
        var plan = new FaultPlan();
        var fs = new FaultFileSystem(Fixtures.NewFs(), plan);
        string path = Fixtures.P("a.vhd");
        Fixtures.CreateImage(fs, path, fill: d => d.Write(0, new byte[] { 5 }));
        var manager = Manager(fs);
        manager.Tell(new OpenImage(path, FileAccess.ReadWrite));
        ExpectMsg<ImageOpened>(Wait);
        var actor = LastSender;
        long locks = plan.LockRequestCount;

        plan.FailAt(plan.OperationCount);
        manager.Tell(new WriteImage(path, 1 << 20, new byte[] { 1, 2, 3 }));
        Assert.IsType<VhdIOException>(ExpectMsg<Status.Failure>(Wait).Cause);
        manager.Tell(new ReadImage(path, 0, 1));
        Assert.Equal(5, ExpectMsg<ImageData>(Wait).Data[0]);
        Assert.Equal(actor, LastSender);
        // Restarted and reopened without a new lock request: the lock never lapsed.
        Assert.Equal(locks, plan.LockRequestCount);
        Assert.Throws<VhdImageInUseException>(() => VirtualDisk.Open(fs, path, FileAccess.ReadWrite));
        manager.Tell(new WriteImage(path, 1 << 20, new byte[] { 1, 2, 3 }));
        ExpectMsg<ImageAck>(Wait);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_writer_that_truly_loses_its_image_stops_and_fails_every_request_clearly(bool injected)
    {
        var plan = new FaultPlan();
        var fs = new FaultFileSystem(Fixtures.NewFs(), plan);
        string path = Fixtures.P("a.vhd");
        Fixtures.CreateImage(fs, path);
        var manager = Manager(fs);
        manager.Tell(new OpenImage(path, FileAccess.ReadWrite));
        ExpectMsg<ImageOpened>(Wait);
        var actor = LastSender;
        Watch(actor);

        // The machine "crashes" under the actor: its file handle (and with it its lock) is gone,
        // and another owner takes the image: a process holding it, or an injected lock refusal.
        fs.Crash();
        FileSystemStream? other = null;
        if (injected) plan.RefuseLockAt(plan.LockRequestCount, fromThenOn: true);
        else other = fs.FileStream.New(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        byte[] before = fs.GetDisk(path)!.ToArray();

        manager.Tell(new WriteImage(path, 0, new byte[] { 9 }));
        Assert.IsAssignableFrom<VhdException>(ExpectMsg<Status.Failure>(Wait).Cause);
        ExpectTerminated(actor, Wait);
        manager.Tell(new WriteImage(path, 0, new byte[] { 9 }));
        var refused = Assert.IsType<VhdImageInUseException>(ExpectMsg<Status.Failure>(Wait).Cause);
        Assert.True(refused.ForWriting);
        manager.Tell(new ReadImage(path, 0, 1));
        Assert.IsType<VhdImageInUseException>(ExpectMsg<Status.Failure>(Wait).Cause);
        // Not a byte was written without the lock.
        Assert.Equal(before, fs.GetDisk(path)!.ToArray());
        other?.Dispose();
    }

    [Fact]
    public async Task A_snapshot_freezes_the_open_parent_and_no_writer_can_take_it_meanwhile()
    {
        var fs = new FaultFileSystem(Fixtures.NewFs());
        string basePath = Fixtures.P("base.vhd"), childPath = Fixtures.P("child.vhd");
        var store = Store(fs, "store-snap");
        await using var disk = await store.CreateAsync(basePath, Fixtures.Small());
        await disk.WriteAsync(0, new byte[] { 1 });

        // At every durability point of the snapshot, another writer tries the parent (ignoring its
        // read-only attribute, as root or another tool may): the lock must refuse it each time.
        var admitted = new List<string>();
        int attempts = 0;
        fs.FlushingToDisk += (_, _) =>
        {
            attempts++;
            try
            {
                fs.FileStream.New(basePath, FileMode.Open, FileAccess.ReadWrite, FileShare.Read).Dispose();
                admitted.Add($"attempt {attempts}");
            }
            catch (IOException)
            {
            }
        };
        await store.SnapshotAsync(basePath, childPath);
        Assert.True(attempts >= 2, $"{attempts} fsyncs during the snapshot");
        Assert.Empty(admitted);

        // Frozen and shared: read through the old handle and by anyone, written by no one.
        var one = new byte[1];
        await disk.ReadAsync(0, one);
        Assert.Equal(1, one[0]);
        Assert.False(disk.CanWrite);
        await Assert.ThrowsAsync<NotSupportedException>(() => disk.WriteAsync(0, new byte[] { 2 }));
        using (var reader = VirtualDisk.Open(fs, basePath)) Assert.False(reader.CanWrite);
        Assert.ThrowsAny<IOException>(() => fs.FileStream.New(basePath, FileMode.Open, FileAccess.ReadWrite, FileShare.Read).Dispose());

        // The child was born owned by the store: nobody else gets it before the caller's handle does.
        Assert.Throws<VhdImageInUseException>(() => VirtualDisk.Open(fs, childPath, FileAccess.ReadWrite));
        await using (var child = await store.OpenAsync(childPath)) await child.WriteAsync(0, new byte[] { 3 });
        using var after = VirtualDisk.Open(fs, childPath, FileAccess.ReadWrite);
        after.Read(0, one);
        Assert.Equal(3, one[0]);
    }

    [Fact]
    public async Task Commit_through_the_store_refuses_a_parent_with_another_child_unless_forced()
    {
        var fs = Fixtures.NewFs();
        string basePath = Fixtures.P("base.vhd"), c1 = Fixtures.P("c1.vhd"), c2 = Fixtures.P("c2.vhd");
        Fixtures.CreateImage(fs, basePath, fill: d => d.Write(0, new byte[] { 1 }));
        var store = Store(fs, "store-commit");
        await store.SnapshotAsync(basePath, c1);
        await using (var child = await store.OpenAsync(c1)) await child.WriteAsync(0, new byte[] { 2 });
        VirtualDisk.CreateDifferencing(fs, c2, basePath).Dispose();
        var bytes = fs.AllFiles.ToDictionary(f => f, f => fs.File.ReadAllBytes(f));

        var refused = await Assert.ThrowsAsync<VhdException>(() => store.CommitAsync(c1));
        Assert.Contains(c2, refused.Message, StringComparison.Ordinal);
        foreach (var (file, content) in bytes) Assert.Equal(content, fs.File.ReadAllBytes(file));

        // A sibling open in another store (process) holds the parent: even forced, the lock refuses.
        var other = Store(fs, "store-other");
        await using (await other.OpenAsync(c2, FileAccess.Read))
            await Assert.ThrowsAsync<VhdImageInUseException>(() => store.CommitAsync(c1, new CommitOptions { Force = true }));

        await store.CommitAsync(c1, new CommitOptions { Force = true });
        Assert.False(fs.File.Exists(c1));
        var e = await Assert.ThrowsAsync<VhdFormatException>(() => other.OpenAsync(c2, FileAccess.Read));
        Assert.Equal("parent unique id", e.Field);
        await using var parent = await store.OpenAsync(basePath, FileAccess.Read);
        var one = new byte[1];
        await parent.ReadAsync(0, one);
        Assert.Equal(2, one[0]);
    }
}
