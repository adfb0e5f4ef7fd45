using System.Buffers;

namespace Storage.Vhd.Tool;

/// <summary>
/// `vhd write`: streams stdin or a file into the virtual disk at an offset, 1 MiB at a time
/// (never the whole input in memory), then flushes.
/// </summary>
internal sealed class WriteCommand : ICommand
{
    public string Name => "write";
    public string Summary => "write stdin or a file into the disk at an offset";
    public string Usage => "vhd write IMAGE --offset N [--input FILE]";
    public IReadOnlyCollection<string> ValueOptions { get; } = ["--offset", "--input"];
    public IReadOnlyCollection<string> Flags { get; } = [];

    public int Run(CommandLine args, ToolEnvironment env)
    {
        string image = args.Positional(0, "IMAGE");
        args.NoMorePositionals(1);
        long offset = args.RequiredSize("--offset");
        string? input = args.Value("--input");

        using var file = input is null ? null : env.FileSystem.FileStream.New(input, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        Stream source = file ?? env.StdIn;
        using var disk = ImageFiles.Open(env, image, FileAccess.ReadWrite);
        if (offset > disk.Length)
            throw new VhdException($"{image}: offset {offset} is past the end of the disk (virtual size {disk.Length})");
        // A file's length is known: refuse before writing anything rather than half way.
        if (file is not null && file.Length > disk.Length - offset)
            throw new VhdException($"{image}: {file.Length} bytes at offset {offset} do not fit the disk (virtual size {disk.Length})");

        byte[] buffer = ArrayPool<byte>.Shared.Rent(ReadCommand.ChunkSize);
        try
        {
            long done = 0;
            while (true)
            {
                env.Cancellation.ThrowIfCancellationRequested();
                var span = buffer.AsSpan(0, ReadCommand.ChunkSize);
                int n = source.ReadAtLeast(span, span.Length, throwOnEndOfStream: false);
                if (n == 0) break;
                if (n > disk.Length - offset - done)
                {
                    // Keep what was written deterministic: it is flushed, the rest refused.
                    disk.Flush();
                    throw new VhdException($"{image}: input runs past the end of the disk (virtual size {disk.Length}); the first {done} bytes from offset {offset} were written");
                }
                disk.Write(offset + done, span[..n]);
                done += n;
                if (n < span.Length) break;
            }
            disk.Flush();
        }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
        return 0;
    }
}
