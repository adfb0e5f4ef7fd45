using System.IO.Abstractions;
using System.Runtime.CompilerServices;
using System.Runtime.Versioning;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Storage.FaultInjection;

/// <summary>
/// <see cref="IFile"/> of a <see cref="FaultFileSystem"/>. Anything that reads or writes contents goes
/// through <see cref="FaultFileStream"/>s or handles (so it is counted, traced and can fail); delete, move, copy
/// and replace go to the simulation's metadata operations; attributes and times go to the inner file system.
/// </summary>
internal sealed class FaultFile(FaultFileSystem fileSystem) : IFile
{
    // File.WriteAllText and friends write UTF-8 without a byte order mark.
    private static readonly Encoding Utf8NoBom = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    private IFile Inner => fileSystem.Inner.File;

    public IFileSystem FileSystem => fileSystem;

    public void AppendAllBytes(string path, byte[] bytes) => WriteBytes(path, bytes, FileMode.Append);

    public void AppendAllBytes(string path, ReadOnlySpan<byte> bytes) => WriteBytes(path, bytes, FileMode.Append);

    public Task AppendAllBytesAsync(string path, byte[] bytes, CancellationToken cancellationToken = default) =>
        Run(() => WriteBytes(path, bytes, FileMode.Append), cancellationToken);

    public Task AppendAllBytesAsync(string path, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default) =>
        Run(() => WriteBytes(path, bytes.Span, FileMode.Append), cancellationToken);

    public void AppendAllLines(string path, IEnumerable<string> contents) => WriteLines(path, contents, Utf8NoBom, FileMode.Append);

    public void AppendAllLines(string path, IEnumerable<string> contents, Encoding encoding) => WriteLines(path, contents, encoding, FileMode.Append);

    public Task AppendAllLinesAsync(string path, IEnumerable<string> contents, CancellationToken cancellationToken = default) =>
        Run(() => WriteLines(path, contents, Utf8NoBom, FileMode.Append), cancellationToken);

    public Task AppendAllLinesAsync(string path, IEnumerable<string> contents, Encoding encoding, CancellationToken cancellationToken = default) =>
        Run(() => WriteLines(path, contents, encoding, FileMode.Append), cancellationToken);

    public void AppendAllText(string path, string? contents) => WriteText(path, contents, Utf8NoBom, FileMode.Append);

    public void AppendAllText(string path, string? contents, Encoding encoding) => WriteText(path, contents, encoding, FileMode.Append);

    public void AppendAllText(string path, ReadOnlySpan<char> contents) => WriteText(path, contents.ToString(), Utf8NoBom, FileMode.Append);

    public void AppendAllText(string path, ReadOnlySpan<char> contents, Encoding encoding) => WriteText(path, contents.ToString(), encoding, FileMode.Append);

    public Task AppendAllTextAsync(string path, string? contents, CancellationToken cancellationToken = default) =>
        Run(() => WriteText(path, contents, Utf8NoBom, FileMode.Append), cancellationToken);

    public Task AppendAllTextAsync(string path, string? contents, Encoding encoding, CancellationToken cancellationToken = default) =>
        Run(() => WriteText(path, contents, encoding, FileMode.Append), cancellationToken);

    public Task AppendAllTextAsync(string path, ReadOnlyMemory<char> contents, CancellationToken cancellationToken = default) =>
        Run(() => WriteText(path, contents.ToString(), Utf8NoBom, FileMode.Append), cancellationToken);

    public Task AppendAllTextAsync(string path, ReadOnlyMemory<char> contents, Encoding encoding, CancellationToken cancellationToken = default) =>
        Run(() => WriteText(path, contents.ToString(), encoding, FileMode.Append), cancellationToken);

    public StreamWriter AppendText(string path) => new(Open(path, FileMode.Append, FileAccess.Write), Utf8NoBom);

    public void Copy(string sourceFileName, string destFileName) => fileSystem.Names.CopyFile(sourceFileName, destFileName, overwrite: false);

    public void Copy(string sourceFileName, string destFileName, bool overwrite) => fileSystem.Names.CopyFile(sourceFileName, destFileName, overwrite);

    public FileSystemStream Create(string path) => Open(path, FileMode.Create, FileAccess.ReadWrite);

    public FileSystemStream Create(string path, int bufferSize) => Open(path, FileMode.Create, FileAccess.ReadWrite);

    public FileSystemStream Create(string path, int bufferSize, FileOptions options) =>
        fileSystem.Contents.Open(path, FileMode.Create, FileAccess.ReadWrite, options);

    public IFileSystemInfo CreateSymbolicLink(string path, string pathToTarget) => Inner.CreateSymbolicLink(path, pathToTarget);

    public StreamWriter CreateText(string path) => new(Open(path, FileMode.Create, FileAccess.Write), Utf8NoBom);

    [SupportedOSPlatform("windows")]
    public void Decrypt(string path) => Inner.Decrypt(path);

    public void Delete(string path) => fileSystem.Names.DeleteFile(path);

    [SupportedOSPlatform("windows")]
    public void Encrypt(string path) => Inner.Encrypt(path);

    public bool Exists(string? path) => Inner.Exists(path);

    public FileAttributes GetAttributes(string path) => Inner.GetAttributes(path);

    public FileAttributes GetAttributes(SafeFileHandle fileHandle) => Inner.GetAttributes(fileHandle);

    public DateTime GetCreationTime(string path) => Inner.GetCreationTime(path);

    public DateTime GetCreationTime(SafeFileHandle fileHandle) => Inner.GetCreationTime(fileHandle);

    public DateTime GetCreationTimeUtc(string path) => Inner.GetCreationTimeUtc(path);

    public DateTime GetCreationTimeUtc(SafeFileHandle fileHandle) => Inner.GetCreationTimeUtc(fileHandle);

    public DateTime GetLastAccessTime(string path) => Inner.GetLastAccessTime(path);

    public DateTime GetLastAccessTime(SafeFileHandle fileHandle) => Inner.GetLastAccessTime(fileHandle);

    public DateTime GetLastAccessTimeUtc(string path) => Inner.GetLastAccessTimeUtc(path);

    public DateTime GetLastAccessTimeUtc(SafeFileHandle fileHandle) => Inner.GetLastAccessTimeUtc(fileHandle);

    public DateTime GetLastWriteTime(string path) => Inner.GetLastWriteTime(path);

    public DateTime GetLastWriteTime(SafeFileHandle fileHandle) => Inner.GetLastWriteTime(fileHandle);

    public DateTime GetLastWriteTimeUtc(string path) => Inner.GetLastWriteTimeUtc(path);

    public DateTime GetLastWriteTimeUtc(SafeFileHandle fileHandle) => Inner.GetLastWriteTimeUtc(fileHandle);

    [UnsupportedOSPlatform("windows")]
    public UnixFileMode GetUnixFileMode(string path) => Inner.GetUnixFileMode(path);

    [UnsupportedOSPlatform("windows")]
    public UnixFileMode GetUnixFileMode(SafeFileHandle fileHandle) => Inner.GetUnixFileMode(fileHandle);

    public void Move(string sourceFileName, string destFileName) => fileSystem.Names.MoveFile(sourceFileName, destFileName, overwrite: false);

    public void Move(string sourceFileName, string destFileName, bool overwrite) => fileSystem.Names.MoveFile(sourceFileName, destFileName, overwrite);

    public FileSystemStream Open(string path, FileMode mode) =>
        Open(path, mode, mode == FileMode.Append ? FileAccess.Write : FileAccess.ReadWrite);

    public FileSystemStream Open(string path, FileMode mode, FileAccess access) => fileSystem.Contents.Open(path, mode, access, FileOptions.None);

    public FileSystemStream Open(string path, FileMode mode, FileAccess access, FileShare share) => fileSystem.Contents.Open(path, mode, access, FileOptions.None, share);

    public FileSystemStream Open(string path, FileStreamOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return fileSystem.Contents.Open(path, options.Mode, options.Access, options.Options, options.Share);
    }

    public SafeFileHandle OpenHandle(string path, FileMode mode = FileMode.Open, FileAccess access = FileAccess.Read, FileShare share = FileShare.Read, FileOptions options = FileOptions.None, long preallocationSize = 0) =>
        fileSystem.Contents.OpenHandle(path, mode, access, share);

    public FileSystemStream OpenRead(string path) => Open(path, FileMode.Open, FileAccess.Read);

    public StreamReader OpenText(string path) => new(OpenRead(path), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);

    public FileSystemStream OpenWrite(string path) => Open(path, FileMode.OpenOrCreate, FileAccess.Write);

    public byte[] ReadAllBytes(string path)
    {
        using FileSystemStream stream = OpenRead(path);
        long length = stream.Length;
        if (length > Array.MaxLength)
        {
            throw new IOException($"The file '{path}' is {length} bytes, too long to read into one array.");
        }

        var bytes = new byte[length];
        int done = 0;
        while (done < bytes.Length)
        {
            // Short reads are legal: loop like File.ReadAllBytes does.
            int read = stream.Read(bytes, done, bytes.Length - done);
            if (read == 0)
            {
                Array.Resize(ref bytes, done);
                break;
            }

            done += read;
        }

        return bytes;
    }

    public Task<byte[]> ReadAllBytesAsync(string path, CancellationToken cancellationToken = default) =>
        Run(() => ReadAllBytes(path), cancellationToken);

    public string[] ReadAllLines(string path) => ReadLines(path).ToArray();

    public string[] ReadAllLines(string path, Encoding encoding) => ReadLines(path, encoding).ToArray();

    public Task<string[]> ReadAllLinesAsync(string path, CancellationToken cancellationToken = default) =>
        Run(() => ReadAllLines(path), cancellationToken);

    public Task<string[]> ReadAllLinesAsync(string path, Encoding encoding, CancellationToken cancellationToken = default) =>
        Run(() => ReadAllLines(path, encoding), cancellationToken);

    public string ReadAllText(string path) => ReadAllText(path, Encoding.UTF8);

    public string ReadAllText(string path, Encoding encoding)
    {
        using var reader = new StreamReader(OpenRead(path), encoding, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    public Task<string> ReadAllTextAsync(string path, CancellationToken cancellationToken = default) =>
        Run(() => ReadAllText(path), cancellationToken);

    public Task<string> ReadAllTextAsync(string path, Encoding encoding, CancellationToken cancellationToken = default) =>
        Run(() => ReadAllText(path, encoding), cancellationToken);

    public IEnumerable<string> ReadLines(string path) => ReadLines(path, Encoding.UTF8);

    public IEnumerable<string> ReadLines(string path, Encoding encoding)
    {
        // Open eagerly so a missing file throws at the call, as File.ReadLines does.
        var reader = new StreamReader(OpenRead(path), encoding, detectEncodingFromByteOrderMarks: true);
        return Lines(reader);
    }

    public IAsyncEnumerable<string> ReadLinesAsync(string path, CancellationToken cancellationToken = default) =>
        ReadLinesAsync(path, Encoding.UTF8, cancellationToken);

    public IAsyncEnumerable<string> ReadLinesAsync(string path, Encoding encoding, CancellationToken cancellationToken = default)
    {
        var reader = new StreamReader(OpenRead(path), encoding, detectEncodingFromByteOrderMarks: true);
        return LinesAsync(reader, cancellationToken);
    }

    public void Replace(string sourceFileName, string destinationFileName, string? destinationBackupFileName) =>
        fileSystem.Names.ReplaceFile(sourceFileName, destinationFileName, destinationBackupFileName, ignoreMetadataErrors: false);

    public void Replace(string sourceFileName, string destinationFileName, string? destinationBackupFileName, bool ignoreMetadataErrors) =>
        fileSystem.Names.ReplaceFile(sourceFileName, destinationFileName, destinationBackupFileName, ignoreMetadataErrors);

    public IFileSystemInfo? ResolveLinkTarget(string linkPath, bool returnFinalTarget) => Inner.ResolveLinkTarget(linkPath, returnFinalTarget);

    public void SetAttributes(string path, FileAttributes fileAttributes) => Inner.SetAttributes(path, fileAttributes);

    public void SetAttributes(SafeFileHandle fileHandle, FileAttributes fileAttributes) => Inner.SetAttributes(fileHandle, fileAttributes);

    public void SetCreationTime(string path, DateTime creationTime) => Inner.SetCreationTime(path, creationTime);

    public void SetCreationTime(SafeFileHandle fileHandle, DateTime creationTime) => Inner.SetCreationTime(fileHandle, creationTime);

    public void SetCreationTimeUtc(string path, DateTime creationTimeUtc) => Inner.SetCreationTimeUtc(path, creationTimeUtc);

    public void SetCreationTimeUtc(SafeFileHandle fileHandle, DateTime creationTimeUtc) => Inner.SetCreationTimeUtc(fileHandle, creationTimeUtc);

    public void SetLastAccessTime(string path, DateTime lastAccessTime) => Inner.SetLastAccessTime(path, lastAccessTime);

    public void SetLastAccessTime(SafeFileHandle fileHandle, DateTime lastAccessTime) => Inner.SetLastAccessTime(fileHandle, lastAccessTime);

    public void SetLastAccessTimeUtc(string path, DateTime lastAccessTimeUtc) => Inner.SetLastAccessTimeUtc(path, lastAccessTimeUtc);

    public void SetLastAccessTimeUtc(SafeFileHandle fileHandle, DateTime lastAccessTimeUtc) => Inner.SetLastAccessTimeUtc(fileHandle, lastAccessTimeUtc);

    public void SetLastWriteTime(string path, DateTime lastWriteTime) => Inner.SetLastWriteTime(path, lastWriteTime);

    public void SetLastWriteTime(SafeFileHandle fileHandle, DateTime lastWriteTime) => Inner.SetLastWriteTime(fileHandle, lastWriteTime);

    public void SetLastWriteTimeUtc(string path, DateTime lastWriteTimeUtc) => Inner.SetLastWriteTimeUtc(path, lastWriteTimeUtc);

    public void SetLastWriteTimeUtc(SafeFileHandle fileHandle, DateTime lastWriteTimeUtc) => Inner.SetLastWriteTimeUtc(fileHandle, lastWriteTimeUtc);

    [UnsupportedOSPlatform("windows")]
    public void SetUnixFileMode(string path, UnixFileMode mode) => Inner.SetUnixFileMode(path, mode);

    [UnsupportedOSPlatform("windows")]
    public void SetUnixFileMode(SafeFileHandle fileHandle, UnixFileMode mode) => Inner.SetUnixFileMode(fileHandle, mode);

    public void WriteAllBytes(string path, byte[] bytes) => WriteBytes(path, bytes, FileMode.Create);

    public void WriteAllBytes(string path, ReadOnlySpan<byte> bytes) => WriteBytes(path, bytes, FileMode.Create);

    public Task WriteAllBytesAsync(string path, byte[] bytes, CancellationToken cancellationToken = default) =>
        Run(() => WriteBytes(path, bytes, FileMode.Create), cancellationToken);

    public Task WriteAllBytesAsync(string path, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default) =>
        Run(() => WriteBytes(path, bytes.Span, FileMode.Create), cancellationToken);

    public void WriteAllLines(string path, string[] contents) => WriteLines(path, contents, Utf8NoBom, FileMode.Create);

    public void WriteAllLines(string path, IEnumerable<string> contents) => WriteLines(path, contents, Utf8NoBom, FileMode.Create);

    public void WriteAllLines(string path, string[] contents, Encoding encoding) => WriteLines(path, contents, encoding, FileMode.Create);

    public void WriteAllLines(string path, IEnumerable<string> contents, Encoding encoding) => WriteLines(path, contents, encoding, FileMode.Create);

    public Task WriteAllLinesAsync(string path, IEnumerable<string> contents, CancellationToken cancellationToken = default) =>
        Run(() => WriteLines(path, contents, Utf8NoBom, FileMode.Create), cancellationToken);

    public Task WriteAllLinesAsync(string path, IEnumerable<string> contents, Encoding encoding, CancellationToken cancellationToken = default) =>
        Run(() => WriteLines(path, contents, encoding, FileMode.Create), cancellationToken);

    public void WriteAllText(string path, string? contents) => WriteText(path, contents, Utf8NoBom, FileMode.Create);

    public void WriteAllText(string path, string? contents, Encoding encoding) => WriteText(path, contents, encoding, FileMode.Create);

    public void WriteAllText(string path, ReadOnlySpan<char> contents) => WriteText(path, contents.ToString(), Utf8NoBom, FileMode.Create);

    public void WriteAllText(string path, ReadOnlySpan<char> contents, Encoding encoding) => WriteText(path, contents.ToString(), encoding, FileMode.Create);

    public Task WriteAllTextAsync(string path, string? contents, CancellationToken cancellationToken = default) =>
        Run(() => WriteText(path, contents, Utf8NoBom, FileMode.Create), cancellationToken);

    public Task WriteAllTextAsync(string path, string? contents, Encoding encoding, CancellationToken cancellationToken = default) =>
        Run(() => WriteText(path, contents, encoding, FileMode.Create), cancellationToken);

    public Task WriteAllTextAsync(string path, ReadOnlyMemory<char> contents, CancellationToken cancellationToken = default) =>
        Run(() => WriteText(path, contents.ToString(), Utf8NoBom, FileMode.Create), cancellationToken);

    public Task WriteAllTextAsync(string path, ReadOnlyMemory<char> contents, Encoding encoding, CancellationToken cancellationToken = default) =>
        Run(() => WriteText(path, contents.ToString(), encoding, FileMode.Create), cancellationToken);

    // The simulation is synchronous and in memory; async variants complete before returning so
    // operation order (and so fault indexes) stays deterministic.
    private static Task Run(Action action, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        try
        {
            action();
            return Task.CompletedTask;
        }
        catch (Exception e)
        {
            return Task.FromException(e);
        }
    }

    private static Task<T> Run<T>(Func<T> action, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }

        try
        {
            return Task.FromResult(action());
        }
        catch (Exception e)
        {
            return Task.FromException<T>(e);
        }
    }

    private static IEnumerable<string> Lines(StreamReader reader)
    {
        using (reader)
        {
            while (reader.ReadLine() is { } line)
            {
                yield return line;
            }
        }
    }

    private static async IAsyncEnumerable<string> LinesAsync(StreamReader reader, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using (reader)
        {
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                yield return line;
            }
        }
    }

    private void WriteBytes(string path, ReadOnlySpan<byte> bytes, FileMode mode)
    {
        using FileSystemStream stream = Open(path, mode, FileAccess.Write);
        stream.Write(bytes);
    }

    private void WriteText(string path, string? contents, Encoding encoding, FileMode mode)
    {
        using var writer = new StreamWriter(Open(path, mode, FileAccess.Write), encoding);
        writer.Write(contents);
    }

    private void WriteLines(string path, IEnumerable<string> contents, Encoding encoding, FileMode mode)
    {
        ArgumentNullException.ThrowIfNull(contents);
        using var writer = new StreamWriter(Open(path, mode, FileAccess.Write), encoding);
        foreach (string line in contents)
        {
            writer.WriteLine(line);
        }
    }
}
