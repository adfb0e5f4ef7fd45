using Spectre.Console;

namespace Storage.VhdTool;

/// <summary>
/// A Spectre.Console progress bar on stderr for work that can take more than a second (convert,
/// commit, crashtest, bench). Drawn only when stderr is a terminal and --quiet was not given;
/// otherwise the work runs with no progress sink at all. Cleared when the work ends.
/// </summary>
internal sealed class ToolProgress : IProgress<long>
{
    private readonly ProgressTask _task;

    private ToolProgress(ProgressTask task) => _task = task;

    /// <summary>Runs <paramref name="work"/> with a bar labelled <paramref name="label"/> going to <paramref name="total"/>, or with null when <paramref name="show"/> is false.</summary>
    public static T Run<T>(ToolEnvironment env, bool show, string label, long total, Func<IProgress<long>?, T> work)
    {
        if (!show || total <= 0) return work(null);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(env.Error),
            Interactive = InteractionSupport.Yes,
            Ansi = AnsiSupport.Detect,
        });
        return console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx => work(new ToolProgress(ctx.AddTask(label, maxValue: total))));
    }

    /// <summary>
    /// <see cref="Run"/> over the image at <paramref name="path"/>: the bar goes to its virtual size (the
    /// work reports the virtual offset it reached); no bar when <paramref name="show"/> is false or the
    /// image does not open (the work itself then says why).
    /// </summary>
    public static T OverImage<T>(ToolEnvironment env, bool show, string path, string label, Func<IProgress<long>?, T> work)
    {
        long total = show ? ImageFiles.VirtualSize(env, path) : 0;
        return Run(env, show, label, total, work);
    }

    /// <inheritdoc />
    public void Report(long value) => _task.Value = value;
}
