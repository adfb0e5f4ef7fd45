using System.Buffers;
using System.CommandLine;
using Storage.VhdEngine;
using Storage.VhdEngine.Disks;

namespace Storage.VhdTool;

/// <summary>`vhd read`: copies a byte range of the virtual disk to a file or stdout, 1 MiB at a time, on the engine.</summary>
internal static class ReadCommand
{
    internal const int ChunkSize = 1 << 20;

    public static Command Create(ToolContext tool)
    {
        var image = ToolOptions.Path("IMAGE", "the image to read");
        var offset = ToolOptions.Size("--offset", "where to start, in bytes", "N", required: true);
        var length = ToolOptions.Size("--length", "how many bytes", "N", required: true);
        var output = new Option<string>("--output") { Description = "write to FILE instead of stdout", HelpName = "FILE" };
        var ignore = ToolOptions.IgnoreChecksums();
        var share = ToolOptions.ForceShare();
        var command = new Command("read", "copy a byte range of the disk to stdout or a file") { image, offset, length, output, ignore, share };
        command.SetAction(parse => Run(
            tool.Env, parse.GetValue(image)!, parse.GetValue(offset)!.Value, parse.GetValue(length)!.Value, parse.GetValue(output),
            ToolOptions.OpenOptions(parse.GetValue(ignore), parse.GetValue(share))));
        return command;
    }

    private static int Run(ToolEnvironment env, string image, long offset, long length, string? output, VhdOpenOptions? options)
    {
        using var disk = DiskSpans.Open(env, image, FileAccess.Read, options);
        // A force-share read is not promised to be consistent: said once, whether or not a writer is there.
        if (options is { ForceShare: true })
            env.Error.WriteLine($"vhd: warning: {image}: read with --force-share: if another process writes it meanwhile, what is read may be inconsistent");
        if (offset > disk.Length || length > disk.Length - offset)
            throw new VhdException($"{image}: range {offset}+{length} is outside the disk (virtual size {disk.Length})");
        using var file = output is null ? null : env.FileSystem.FileStream.New(output, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 0);
        Stream target = file ?? env.StdOut;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            for (long done = 0; done < length;)
            {
                env.Cancellation.ThrowIfCancellationRequested();
                int n = (int)Math.Min(ChunkSize, length - done);
                DiskSpans.Read(disk, offset + done, buffer.AsSpan(0, n));
                target.Write(buffer, 0, n);
                done += n;
            }
            target.Flush();
        }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
        return 0;
    }
}
