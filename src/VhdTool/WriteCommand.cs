using Storage.VhdEngine;
using Storage.VhdEngine.Disks;
using System.Buffers;
using System.CommandLine;

namespace Storage.VhdTool;

/// <summary>
/// `vhd write`: streams stdin or a file into the virtual disk at an offset, 1 MiB at a time
/// (never the whole input in memory) on the engine, then flushes. The input is one
/// user write: every cut between two engine writes falls on a sector boundary, so a crash before
/// the flush keeps or loses each sector whole (never half old, half new).
/// </summary>
internal static class WriteCommand
{
    public static Command Create(ToolContext tool)
    {
        var image = ToolOptions.Path("IMAGE", "the image to write");
        var offset = ToolOptions.Size("--offset", "where to start, in bytes", "N", required: true);
        var input = new Option<string>("--input") { Description = "read from FILE instead of stdin", HelpName = "FILE" };
        var command = new Command("write", "write stdin or a file into the disk at an offset") { image, offset, input };
        command.SetAction(parse => Run(tool.Env, parse.GetValue(image)!, parse.GetValue(offset)!.Value, parse.GetValue(input)));
        return command;
    }

    private static int Run(ToolEnvironment env, string image, long offset, string? input)
    {
        using var file = input is null ? null : env.FileSystem.FileStream.New(input, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        Stream source = file ?? env.StdIn;
        using var disk = DiskSpans.Open(env, image, FileAccess.ReadWrite);
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
                int want = ChunkLength(offset + done);
                int n = source.ReadAtLeast(buffer.AsSpan(0, want), want, throwOnEndOfStream: false);
                if (n == 0) break;
                if (n > disk.Length - offset - done)
                {
                    // Keep what was written deterministic: it is flushed, the rest refused.
                    DiskSpans.Flush(disk);
                    throw new VhdException($"{image}: input runs past the end of the disk (virtual size {disk.Length}); the first {done} bytes from offset {offset} were written");
                }
                DiskSpans.Write(disk, offset + done, buffer.AsSpan(0, n));
                done += n;
                if (n < want) break;
            }
            DiskSpans.Flush(disk);
        }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
        return 0;
    }

    /// <summary>The next engine write's length from <paramref name="position"/>: up to a chunk, ending on a sector boundary.</summary>
    internal static int ChunkLength(long position) => ReadCommand.ChunkSize - (int)(position % VirtualDisk.SectorSize);
}
