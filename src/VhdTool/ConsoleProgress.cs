namespace Storage.VhdTool;

/// <summary>
/// A one-line percentage on stderr for long work, drawn only when stderr is a terminal.
/// Synchronous (unlike <see cref="Progress{T}"/>) so it never races the final line.
/// </summary>
internal sealed class ConsoleProgress(TextWriter error, string label, long total) : IProgress<long>, IDisposable
{
    private int _shown = -1;

    /// <inheritdoc />
    public void Report(long value)
    {
        int percent = total <= 0 ? 100 : (int)Math.Min(100, value * 100 / total);
        if (percent == _shown) return;
        _shown = percent;
        error.Write($"\r{label}: {percent,3}%");
    }

    /// <summary>Clears the line.</summary>
    public void Dispose()
    {
        if (_shown >= 0) error.Write("\r" + new string(' ', label.Length + 6) + "\r");
    }
}
