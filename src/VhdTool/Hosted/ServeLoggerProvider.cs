using Microsoft.Extensions.Logging;

namespace Storage.VhdTool.Hosted;

/// <summary>The cluster host's logs (Akka's included) as <see cref="ServeLogger"/> lines on stderr.</summary>
internal sealed class ServeLoggerProvider(TextWriter error) : ILoggerProvider
{
    private readonly ServeLogger _logger = new(error);

    public ILogger CreateLogger(string categoryName) => _logger;

    public void Dispose() { }
}
