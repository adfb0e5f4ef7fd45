using Storage.VhdEngine;
using System.Buffers;

namespace Storage.VhdTool;

/// <summary>`vhd read`: copies a byte range of the virtual disk to a file or stdout, 1 MiB at a time, through the image's actor.</summary>
internal sealed class ReadCommand : ICommand
{
    internal const int ChunkSize = 1 << 20;

    public string Name => "read";
    public string Summary => "copy a byte range of the disk to stdout or a file";
    public string Usage => "vhd read IMAGE --offset N --length N [--output FILE]";
    public IReadOnlyCollection<string> ValueOptions { get; } = ["--offset", "--length", "--output"];
    public IReadOnlyCollection<string> Flags { get; } = [];

    public int Run(CommandLine args, ToolEnvironment env)
    {
        string image = args.Positional(0, "IMAGE");
        args.NoMorePositionals(1);
        long offset = args.RequiredSize("--offset");
        long length = args.RequiredSize("--length");
        string? output = args.Value("--output");

        return ToolStore.Run(env, async (store, ct) =>
        {
            await using var disk = await ToolStore.OpenAsync(store, image, FileAccess.Read, ct).ConfigureAwait(false);
            if (offset > disk.Length || length > disk.Length - offset)
                throw new VhdException($"{image}: range {offset}+{length} is outside the disk (virtual size {disk.Length})");
            using var file = output is null ? null : env.FileSystem.FileStream.New(output, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 0);
            Stream target = file ?? env.StdOut;
            byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
            try
            {
                for (long done = 0; done < length;)
                {
                    ct.ThrowIfCancellationRequested();
                    int n = (int)Math.Min(ChunkSize, length - done);
                    // The range was checked against the disk: every read is full.
                    int got = await disk.ReadAsync(offset + done, buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                    if (got != n) throw new VhdException($"{image}: short read at offset {offset + done} ({got} of {n} bytes)");
                    target.Write(buffer, 0, n);
                    done += n;
                }
                target.Flush();
            }
            finally { ArrayPool<byte>.Shared.Return(buffer); }
            return 0;
        });
    }
}
