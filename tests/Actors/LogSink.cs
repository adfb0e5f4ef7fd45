using Microsoft.Extensions.Logging;

namespace Storage.Tests.Actors;

/// <summary>An <see cref="ILoggerProvider"/> that keeps every line logged through it (category: message).</summary>
internal sealed class LogSink : ILoggerProvider
{
    private readonly List<string> _entries = [];

    public IReadOnlyList<string> Entries
    {
        get
        {
            lock (_entries) return [.. _entries];
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (sink._entries) sink._entries.Add($"{logLevel} {category}: {formatter(state, exception)}");
        }
    }
}
