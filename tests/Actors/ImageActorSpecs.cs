using System.IO.Abstractions;
using Akka.Actor;
using Akka.Configuration;
using Storage.FaultInjection;
using Storage.VhdEngine;
using Storage.VhdActors;
using Storage.VhdActors.Messages;
using Storage.VhdEngine.Disks;
using Xunit;
using Xunit.Abstractions;

namespace Storage.Tests.Actors;

/// <summary>The manager and image actors, driven with messages (no facade).</summary>
public sealed class ImageActorSpecs : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    public ImageActorSpecs(ITestOutputHelper output)
        : base(ConfigurationFactory.ParseString(Fixtures.Hocon).WithFallback(VhdActorsConfig.Default), nameof(ImageActorSpecs), output)
    {
    }

    private IActorRef Manager(IFileSystem fs, TimeSpan? idle = null, int maxRestarts = 3) =>
        Sys.ActorOf(ImageManager.Props(fs, Fixtures.Options(fs, idle) with { MaxRestarts = maxRestarts }));

    private static Exception Cause(Status.Failure failure)
    {
        // The error as thrown (the engine's, or the BCL's for a caller's mistake): never wrapped.
        Assert.NotNull(failure.Cause);
        return failure.Cause;
    }

    [Fact]
    public void Create_write_read_flush_close_then_the_file_holds_the_data()
    {
        var fs = Fixtures.NewFs();
        var manager = Manager(fs);
        string path = Fixtures.P("a.vhd");

        manager.Tell(new CreateImage(path, Fixtures.Small()));
        var opened = ExpectMsg<ImageOpened>(Wait);
        Assert.True(opened.Writable);
        Assert.Equal([path], opened.Chain);

        var data = Fixtures.Bytes(3000, 1);
        manager.Tell(new WriteImage(path, 700_000, data));
        ExpectMsg<ImageAck>(Wait);
        manager.Tell(new ReadImage(path, 700_000, data.Length));
        Assert.Equal(data, ExpectMsg<ImageData>(Wait).Data);
        manager.Tell(new FlushImage(path));
        ExpectMsg<ImageAck>(Wait);
        manager.Tell(new CloseImage(path));
        ExpectMsg<ImageAck>(Wait);

        using var disk = VirtualDisk.Open(fs, path);
        var back = new byte[data.Length];
        disk.Read(700_000, back);
        Assert.Equal(data, back);
    }

    [Fact]
    public void A_second_open_of_the_same_file_reaches_the_same_actor()
    {
        var fs = Fixtures.NewFs();
        string path = Fixtures.P("a.vhd");
        Fixtures.CreateImage(fs, path);
        var manager = Manager(fs);

        manager.Tell(new OpenImage(path, FileAccess.ReadWrite));
        ExpectMsg<ImageOpened>(Wait);
        var first = LastSender;
        manager.Tell(new OpenImage(path, FileAccess.Read));
        ExpectMsg<ImageOpened>(Wait);
        Assert.Equal(first, LastSender);

        manager.Tell(new OpenImage(Fixtures.P("b.vhd"), FileAccess.Read));
        var missing = ExpectMsg<Status.Failure>(Wait);
        Assert.Contains("no such image", Cause(missing).Message);
    }

    [Fact]
    public void Opening_read_write_after_read_only_reopens_the_image_writable()
    {
        var fs = Fixtures.NewFs();
        string path = Fixtures.P("a.vhd");
        Fixtures.CreateImage(fs, path);
        var manager = Manager(fs);

        manager.Tell(new OpenImage(path, FileAccess.Read));
        Assert.False(ExpectMsg<ImageOpened>(Wait).Writable);
        manager.Tell(new WriteImage(path, 0, new byte[] { 1 }));
        Assert.Contains("read-only", Cause(ExpectMsg<Status.Failure>(Wait)).Message);

        manager.Tell(new OpenImage(path, FileAccess.ReadWrite));
        Assert.True(ExpectMsg<ImageOpened>(Wait).Writable);
        manager.Tell(new WriteImage(path, 0, new byte[] { 1 }));
        ExpectMsg<ImageAck>(Wait);
    }

    [Fact]
    public void Children_of_one_parent_share_the_parent_instance()
    {
        var inner = Fixtures.NewFs();
        string basePath = Fixtures.P("base.vhd");
        Fixtures.CreateImage(inner, basePath, fill: d => d.Write(0, new byte[] { 42 }));
        VirtualDisk.CreateDifferencing(inner, Fixtures.P("c1.vhd"), basePath).Dispose();
        VirtualDisk.CreateDifferencing(inner, Fixtures.P("c2.vhd"), basePath).Dispose();
        var fs = new FaultFileSystem(inner, new FaultPlan());
        var manager = Manager(fs);

        manager.Tell(new OpenImage(Fixtures.P("c1.vhd"), FileAccess.ReadWrite));
        Assert.Equal([Fixtures.P("c1.vhd"), basePath], ExpectMsg<ImageOpened>(Wait).Chain);
        long afterFirst = fs.Plan!.LockRequestCount; // c1's lock and its parent's
        manager.Tell(new OpenImage(Fixtures.P("c2.vhd"), FileAccess.ReadWrite));
        Assert.Equal([Fixtures.P("c2.vhd"), basePath], ExpectMsg<ImageOpened>(Wait).Chain);
        // Only c2 was locked: the parent open for c1 serves c2 too.
        Assert.Equal(afterFirst + 1, fs.Plan.LockRequestCount);

        manager.Tell(new ReadImage(Fixtures.P("c2.vhd"), 0, 1));
        Assert.Equal(42, ExpectMsg<ImageData>(Wait).Data[0]);
    }

    [Fact]
    public void An_idle_image_is_closed_and_reopened_by_the_next_request()
    {
        var fs = Fixtures.NewFs();
        string path = Fixtures.P("a.vhd");
        Fixtures.CreateImage(fs, path);
        var manager = Manager(fs, idle: TimeSpan.FromMilliseconds(300));

        manager.Tell(new OpenImage(path, FileAccess.ReadWrite));
        ExpectMsg<ImageOpened>(Wait);
        var actor = LastSender;
        manager.Tell(new WriteImage(path, 4096, new byte[] { 7, 8, 9 }));
        ExpectMsg<ImageAck>(Wait);
        Watch(actor);
        ExpectTerminated(actor, Wait);

        // Closing flushed the write; a request through the old handle's path reopens the image.
        manager.Tell(new ReadImage(path, 4096, 3));
        Assert.Equal(new byte[] { 7, 8, 9 }, ExpectMsg<ImageData>(Wait).Data);
        Assert.NotEqual(actor, LastSender);
    }

    [Fact]
    public void An_io_error_fails_the_request_then_the_actor_restarts_and_reopens()
    {
        var fs = new FaultFileSystem(Fixtures.NewFs());
        string path = Fixtures.P("a.vhd");
        Fixtures.CreateImage(fs, path, fill: d => d.Write(0, new byte[] { 5 }));
        var manager = Manager(fs);
        manager.Tell(new OpenImage(path, FileAccess.ReadWrite));
        ExpectMsg<ImageOpened>(Wait);
        var actor = LastSender;
        Watch(actor);

        // The next counted file operation (the write's first I/O) fails, once.
        fs.Plan = new FaultPlan().FailAt(0);
        manager.Tell(new WriteImage(path, 1 << 20, new byte[] { 1, 2, 3 }));
        var failure = ExpectMsg<Status.Failure>(Wait);
        Assert.IsType<VhdIOException>(Cause(failure));

        // Same actor (restarted, not replaced), image reopened: flushed data is there.
        manager.Tell(new ReadImage(path, 0, 1));
        Assert.Equal(5, ExpectMsg<ImageData>(Wait).Data[0]);
        Assert.Equal(actor, LastSender);
        manager.Tell(new WriteImage(path, 1 << 20, new byte[] { 1, 2, 3 }));
        ExpectMsg<ImageAck>(Wait);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void Persistent_io_errors_stop_the_actor_and_every_queued_request_still_gets_a_failure()
    {
        var fs = new FaultFileSystem(Fixtures.NewFs());
        string path = Fixtures.P("a.vhd");
        Fixtures.CreateImage(fs, path);
        var manager = Manager(fs, maxRestarts: 2);
        manager.Tell(new OpenImage(path, FileAccess.ReadWrite));
        ExpectMsg<ImageOpened>(Wait);
        var actor = LastSender;
        Watch(actor);
        Sys.EventStream.Subscribe(TestActor, typeof(ImageStopped));

        fs.Plan = new FaultPlan().FailAt(0, fromThenOn: true);
        const int requests = 20;
        for (int i = 0; i < requests; i++)
            manager.Tell(new WriteImage(path, i * 600_000L, new byte[] { 1 }));
        int failures = 0;
        bool terminated = false, stopped = false;
        for (int i = 0; i < requests + 2; i++)
        {
            var m = ExpectMsg<object>(Wait);
            switch (m)
            {
                case Status.Failure f: Cause(f); failures++; break;
                case Terminated t when t.ActorRef.Equals(actor): terminated = true; break;
                case ImageStopped s: Assert.Equal(path, s.Path); stopped = true; break;
                default: Assert.Fail($"unexpected {m}"); break;
            }
        }
        Assert.Equal(requests, failures);
        Assert.True(terminated);
        Assert.True(stopped);
    }

    [Fact]
    public void A_format_error_fails_the_open_and_stops_the_actor_quietly()
    {
        var fs = Fixtures.NewFs();
        string path = Fixtures.P("bad.vhd");
        fs.File.WriteAllBytes(path, Fixtures.Bytes(4096, 3));
        var manager = Manager(fs);
        Sys.EventStream.Subscribe(TestActor, typeof(ImageStopped));

        manager.Tell(new OpenImage(path, FileAccess.ReadWrite));
        var failure = ExpectMsg<Status.Failure>(Wait);
        Assert.IsType<VhdFormatException>(Cause(failure));
        var actor = LastSender;
        Watch(actor);
        ExpectTerminated(actor, Wait);
        // A failed open is the caller's news (it got the error): not an image that stopped in service,
        // so nothing is published (nor logged as an error) for it.
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        // And the next open of the path gets its own answer from a new actor.
        manager.Tell(new OpenImage(path, FileAccess.Read));
        Assert.IsType<VhdFormatException>(Cause(ExpectMsg<Status.Failure>(Wait)));
    }

    [Fact]
    public void Bad_requests_get_failure_replies_and_leave_the_actor_working()
    {
        var fs = Fixtures.NewFs();
        string path = Fixtures.P("a.vhd");
        var manager = Manager(fs);
        manager.Tell(new ReadImage(path, 0, 1));
        Assert.Contains("not open", Cause(ExpectMsg<Status.Failure>(Wait)).Message);

        manager.Tell(new CreateImage(path, Fixtures.Small()));
        var opened = ExpectMsg<ImageOpened>(Wait);
        manager.Tell(new ReadImage(path, opened.Length - 1, 2));
        // The engine's range error (an ArgumentOutOfRangeException once the engine's exceptions follow .NET's).
        Assert.True(Cause(ExpectMsg<Status.Failure>(Wait)) is ArgumentOutOfRangeException);
        manager.Tell(new ReadImage(path, 0, -1));
        Assert.IsType<ArgumentOutOfRangeException>(Cause(ExpectMsg<Status.Failure>(Wait)));
        manager.Tell(new CreateImage(path, Fixtures.Small()));
        Assert.Contains("already exists", Cause(ExpectMsg<Status.Failure>(Wait)).Message);
        manager.Tell(new ReadImage(path, 0, 1));
        ExpectMsg<ImageData>(Wait);
    }

    [Fact]
    public void A_request_cancelled_before_it_runs_is_not_run()
    {
        var fs = Fixtures.NewFs();
        string path = Fixtures.P("a.vhd");
        var manager = Manager(fs);
        manager.Tell(new CreateImage(path, Fixtures.Small()));
        ExpectMsg<ImageOpened>(Wait);

        using var cts = new CancellationTokenSource();
        cts.Cancel();
        manager.Tell(new WriteImage(path, 0, new byte[] { 9 }, Cancellation: cts.Token));
        var failure = ExpectMsg<Status.Failure>(Wait);
        Assert.Equal(cts.Token, Assert.IsType<OperationCanceledException>(Cause(failure)).CancellationToken);
        manager.Tell(new ReadImage(path, 0, 1));
        Assert.Equal(0, ExpectMsg<ImageData>(Wait).Data[0]);
    }
}
