using System.IO.Abstractions;

namespace Storage.VhdTool;

/// <summary>What a command runs against: the file system and the standard streams.</summary>
/// <param name="FileSystem">Where images live.</param>
/// <param name="Out">Text output (info, help).</param>
/// <param name="Error">Error and progress output.</param>
/// <param name="StdIn">Binary standard input (write).</param>
/// <param name="StdOut">Binary standard output (read); shares the descriptor with <paramref name="Out"/>.</param>
/// <param name="ShowProgress">Draw progress on <paramref name="Error"/> (it is a terminal).</param>
/// <param name="Cancellation">Signalled on Ctrl+C.</param>
public sealed record ToolEnvironment(IFileSystem FileSystem, TextWriter Out, TextWriter Error, Stream StdIn, Stream StdOut, bool ShowProgress = false, CancellationToken Cancellation = default);
