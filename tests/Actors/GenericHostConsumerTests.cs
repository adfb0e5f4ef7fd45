using System.Formats.Tar;
using System.IO.Compression;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Storage.VhdActors;
using Storage.VhdEngine.Disks;
using Xunit;

namespace Storage.Tests.Actors;

/// <summary>
/// Issue 13's consumer, as a service author writes it: a generic host with AddVhdStorage alone and a
/// hosted service that writes archives through VirtualDiskStream: 8 tasks on one image (a zip each,
/// in its own partition window) and 16 images with one writer each (a tar each). After the host
/// stops, every archive is read back from the files and compared byte for byte.
/// </summary>
public sealed class GenericHostConsumerTests : IDisposable
{
    private const long PartitionSize = 1 << 20;
    private readonly string _dir = Directory.CreateTempSubdirectory("vhd-host-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static byte[] Payload(int writer, int file) => Fixtures.Bytes(20_000 + 3_001 * file, writer * 100 + file);

    [Fact]
    public async Task A_hosted_service_writes_zips_and_tars_through_the_stream_and_every_byte_lands()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddVhdStorage(o => o.IdleTimeout = TimeSpan.FromSeconds(1)); // idle closes in the middle, too
        builder.Services.AddSingleton(new ArchiveWriter.Settings(_dir));
        builder.Services.AddHostedService<ArchiveWriter>();
        using (var host = builder.Build())
        {
            await host.StartAsync();
            await host.Services.GetRequiredService<ArchiveWriter.Settings>().Done.Task.WaitAsync(TimeSpan.FromMinutes(5));
            await host.StopAsync();
        }

        // The host stopped: every image is closed and opens for writing here.
        using (var shared = VirtualDisk.Open(new System.IO.Abstractions.FileSystem(), Path.Combine(_dir, "shared.vhd"), FileAccess.ReadWrite))
        {
            for (int w = 0; w < 8; w++)
            {
                var bytes = new byte[PartitionSize];
                shared.Read(w * PartitionSize, bytes);
                using var zip = new ZipArchive(new MemoryStream(bytes[..(int)ZipLength(bytes)]), ZipArchiveMode.Read);
                for (int f = 0; f < 3; f++) Assert.Equal(Payload(w, f), ReadAll(zip.GetEntry($"w{w}/f{f}.bin")!.Open()));
            }
        }
        for (int i = 0; i < 16; i++)
        {
            using var disk = VirtualDisk.Open(new System.IO.Abstractions.FileSystem(), Path.Combine(_dir, $"t{i}.vhd"), FileAccess.Read);
            var bytes = new byte[disk.Length];
            disk.Read(0, bytes);
            using var tar = new TarReader(new MemoryStream(bytes));
            for (int f = 0; f < 3; f++)
            {
                var entry = tar.GetNextEntry()!;
                Assert.Equal($"t{i}/f{f}.bin", entry.Name);
                Assert.Equal(Payload(100 + i, f), ReadAll(entry.DataStream!));
            }
        }
    }

    /// <summary>The zip in a partition: up to the end of its end-of-central-directory record (the stream's position when it was written is not stored).</summary>
    private static long ZipLength(byte[] partition)
    {
        for (int i = partition.Length - 22; i >= 0; i--)
        {
            if (partition[i] == 0x50 && partition[i + 1] == 0x4B && partition[i + 2] == 5 && partition[i + 3] == 6)
                return i + 22 + BitConverter.ToUInt16(partition, i + 20);
        }
        throw new Xunit.Sdk.XunitException("no zip end record in the partition");
    }

    private static byte[] ReadAll(Stream stream)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        stream.Dispose();
        return copy.ToArray();
    }

    /// <summary>The service under test: what a consumer of the library writes.</summary>
    private sealed class ArchiveWriter(IDiskStore store, ArchiveWriter.Settings settings) : BackgroundService
    {
        public sealed record Settings(string Directory)
        {
            public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            try
            {
                await using (var shared = await store.CreateAsync(Path.Combine(settings.Directory, "shared.vhd"), new VhdCreateOptions { Size = 8 * PartitionSize }, stoppingToken))
                {
                    var zips = Enumerable.Range(0, 8).Select(w => Task.Run(() => WriteZipAsync(shared, w, stoppingToken), stoppingToken));
                    var tars = Enumerable.Range(0, 16).Select(i => Task.Run(() => WriteTarAsync(i, stoppingToken), stoppingToken));
                    await Task.WhenAll(zips.Concat(tars));
                    await shared.FlushAsync(stoppingToken);
                }
                settings.Done.SetResult();
            }
            catch (Exception e)
            {
                settings.Done.SetException(e);
            }
        }

        private static async Task WriteZipAsync(IDisk shared, int w, CancellationToken cancellationToken)
        {
            await using var partition = shared.AsStream(w * PartitionSize, PartitionSize);
            // Synchronous for half of the writers: ZipArchive's own I/O is synchronous.
            using var zip = new ZipArchive(partition, ZipArchiveMode.Create, leaveOpen: true);
            for (int f = 0; f < 3; f++)
            {
                await using var entry = zip.CreateEntry($"w{w}/f{f}.bin", CompressionLevel.NoCompression).Open();
                if (w % 2 == 0) entry.Write(Payload(w, f));
                else await entry.WriteAsync(Payload(w, f), cancellationToken);
            }
        }

        private async Task WriteTarAsync(int i, CancellationToken cancellationToken)
        {
            await using var disk = await store.CreateAsync(Path.Combine(settings.Directory, $"t{i}.vhd"), new VhdCreateOptions { Size = PartitionSize }, cancellationToken);
            await using var stream = disk.AsStream();
            await using (var tar = new TarWriter(stream, leaveOpen: true))
            {
                for (int f = 0; f < 3; f++)
                {
                    var entry = new PaxTarEntry(TarEntryType.RegularFile, $"t{i}/f{f}.bin") { DataStream = new MemoryStream(Payload(100 + i, f)) };
                    await tar.WriteEntryAsync(entry, cancellationToken);
                }
            }
            await stream.FlushAsync(cancellationToken);
        }
    }
}
