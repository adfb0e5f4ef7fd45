using Microsoft.Extensions.Logging;

namespace Storage.VhdTool.Hosted;

/// <summary>
/// The server's log on stderr, one line each, "vhd serve: ...": warnings and errors (a client
/// disconnected for breaking the protocol, an image that failed to close); everything with VHD_DEBUG=1.
/// </summary>
internal sealed class ServeLogger(TextWriter error) : ILogger
{
    /// <summary>VHD_DEBUG is set (and not 0): everything is logged.</summary>
    public static readonly bool Debug = Environment.GetEnvironmentVariable("VHD_DEBUG") is { Length: > 0 } v && v != "0";
    private readonly Lock _gate = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= (Debug ? LogLevel.Debug : LogLevel.Warning);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        string line = $"vhd serve: {formatter(state, exception)}";
        if (exception is not null && Debug) line += Environment.NewLine + exception;
        lock (_gate) error.WriteLine(line);
    }
}
